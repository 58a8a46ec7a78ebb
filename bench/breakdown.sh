#!/usr/bin/env bash
# bench/breakdown.sh [--csrun PATH] [--keep FILE] [--real]: strace -f -tt -T of one `csrun run` of
# /bin/true, cut into phases by bench/breakdown.py. --real: of the realistic bundle (podman's
# config with its seccomp profile, as in run.sh) instead of the bare `runc spec` one. Same set-up as run.sh: a private mount namespace with the
# hybrid cgroup2 mount hidden, the state dir on a tmpfs, a subreaper, a busybox bundle.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
csrun="$repo/out/csrun" keep="" real=""
while [ $# -gt 0 ]; do
  case "$1" in
    --csrun) csrun=$2; shift ;;
    --keep) keep=$2; shift ;;
    --real) real=1 ;;
    *) echo "usage: $0 [--csrun PATH] [--keep FILE] [--real]" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "breakdown.sh: must run as root" >&2; exit 1; }
command -v strace >/dev/null || { echo "breakdown.sh: needs strace" >&2; exit 1; }
csrun=$(readlink -f "$csrun")
tmp=$(mktemp -d /tmp/csrun-breakdown.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
source "$here/common.sh"
mkdir -p "$tmp/state"
busybox_true_bundle "$tmp/b" "$csrun"
cat > "$tmp/inner.sh" <<INNER
set -e
source "$here/common.sh"
hide_unified_cgroup2
if [ -n "$real" ]; then
  : > "$tmp/netns"; unshare --net="$tmp/netns" true
  /usr/bin/python3 "$here/real-bundle.py" "$repo/spec-fixtures/valid/podman-run-busybox-true.json" \
    "$tmp/b" "$tmp/b/rootfs" "$tmp/netns"
fi
mount -t tmpfs csrun-bench-state "$tmp/state"
id=csrb\$\$-breakdown
"$csrun" --root "$tmp/state" run --bundle "$tmp/b" \$id-warm
strace -f -tt -T -o "$tmp/strace.txt" "$csrun" --root "$tmp/state" run --bundle "$tmp/b" \$id
umount "$tmp/state"
[ -z "$real" ] || umount "$tmp/netns"
INNER
unshare -m --propagation private /usr/bin/python3 "$here/subreaper.py" bash "$tmp/inner.sh"
[ -n "$keep" ] && cp "$tmp/strace.txt" "$keep"
/usr/bin/python3 "$here/breakdown.py" "$tmp/strace.txt"
