#!/usr/bin/env bash
# bench/image-view.sh [RUNS]: what the CVE-2019-5736 defence costs a `run` of /bin/true.
# csrun as installed (it re-executes itself from a read-only view of its binary) against the
# same binary started from a read-only bind mount (already protected: no re-exec), and crun,
# which makes the same kind of view and re-executes too; interleaved by hyperfine, in a private
# mount namespace (the bind mount and the hidden cgroup2 mount vanish with it). Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
runs=${1:-200}
[ "$(id -u)" = 0 ] || { echo "image-view.sh: must run as root" >&2; exit 1; }
if [ "${1:-}" != --inner ]; then
  exec unshare -m --propagation private /usr/bin/python3 "$here/subreaper.py" bash "$0" --inner "$runs"
fi
runs=$2
. "$here/common.sh"
hide_unified_cgroup2
tmp=$(mktemp -d /tmp/csrun-image-view.XXXXXX)
trap 'umount "$tmp/ro/csrun" 2>/dev/null; rm -rf "$tmp"' EXIT
busybox_true_bundle "$tmp/bundle" "$repo/out/csrun"
sed -i 's/"ociVersion": "[^"]*"/"ociVersion": "1.0.2-dev"/' "$tmp/bundle/config.json" # crun 1.8 knows no later one
mkdir -p "$tmp/ro" "$tmp/state"
touch "$tmp/ro/csrun"
mount --bind "$repo/out/csrun" "$tmp/ro/csrun"
mount -o remount,bind,ro "$tmp/ro/csrun"
cd "$tmp/bundle"
declare -A cmd=(
  [view]="$repo/out/csrun --root $tmp/state run v"
  [readonly]="$tmp/ro/csrun --root $tmp/state run r"
  [crun]="crun --root $tmp/state run c"
)
for k in view readonly crun; do ${cmd[$k]} >/dev/null || { echo "image-view.sh: $k failed" >&2; exit 1; }; done
# Interleaved rounds: one run of each per round, wall time in microseconds.
for ((i = 0; i < runs; i++)); do
  for k in view readonly crun; do
    t0=$EPOCHREALTIME; ${cmd[$k]}; t1=$EPOCHREALTIME
    echo "$k $(( (${t1/./} - ${t0/./}) ))" >>"$tmp/times"
  done
done
median() { grep "^$1 " "$tmp/times" | cut -d' ' -f2 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
v=$(median view) r=$(median readonly) c=$(median crun)
echo "run of /bin/true, median of $runs interleaved rounds (us):"
echo "  csrun, re-executed from its read-only view: $v"
echo "  csrun started from a read-only mount (no re-exec): $r"
echo "  crun (re-executes from its own read-only bind): $c"
awk -v v="$v" -v r="$r" -v c="$c" 'BEGIN { printf "  cost of the view: %.2f ms (%.1f%% of the run); csrun/crun %.2fx with it, %.2fx without\n", (v-r)/1000, 100*(v-r)/r, v/c, r/c }'
