#!/usr/bin/env bash
# bench/breakdown.sh [--csrun PATH] [--keep FILE-or-DIR] [--real] [--callgrind]: where one csrun run spends
# its time. Same set-up as run.sh: a private mount namespace with the hybrid cgroup2 mount hidden,
# the state dir on a tmpfs, a subreaper, a busybox bundle.
#   default      strace -f -tt -T of one `csrun run` of /bin/true, cut into phases by breakdown.py
#   --real       the same for the realistic bundle (podman's config with its seccomp profile, as
#                in run.sh) instead of the bare `runc spec` one
#   --callgrind  instruction counts (valgrind callgrind) of `csrun create`'s parent process for
#                both bundles, and the inclusive counts of the functions that matter
#                (breakdown-callgrind.py). Steady where the wall clock of this shared machine is
#                not. Needs valgrind and the build's symbols (out/publish/csrun.dbg, or PATH.dbg).
#                valgrind cannot run the container child (no openat2), so the create fails after
#                the clone: the counts cover everything the parent does before it. The realistic
#                bundle is measured twice: its first create (seccomp compiled and cached) and
#                the next (the filter read from the cache).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
csrun="$repo/out/csrun" keep="" real="" cg=""
while [ $# -gt 0 ]; do
  case "$1" in
    --csrun) csrun=$2; shift ;;
    --keep) keep=$2; shift ;;
    --real) real=1 ;;
    --callgrind) cg=1 ;;
    *) echo "usage: $0 [--csrun PATH] [--keep FILE] [--real] [--callgrind]" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "breakdown.sh: must run as root" >&2; exit 1; }
tool=strace; [ -z "$cg" ] || tool=valgrind
command -v $tool >/dev/null || { echo "breakdown.sh: needs $tool" >&2; exit 1; }
csrun=$(readlink -f "$csrun")
tmp=$(mktemp -d /tmp/csrun-breakdown.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
source "$here/common.sh"
mkdir -p "$tmp/state"
if [ -n "$cg" ]; then
  # A copy of the binary that points at its symbols (without DWARF: valgrind 3.19 gives up on
  # this compiler's), so that callgrind names the functions.
  dbg="$(dirname "$csrun")/publish/csrun.dbg"; [ -f "$dbg" ] || dbg="$csrun.dbg"
  [ -f "$dbg" ] || { echo "breakdown.sh: no symbols at $dbg (./build.sh writes out/publish/csrun.dbg)" >&2; exit 1; }
  cp "$csrun" "$tmp/csrun"
  objcopy --strip-debug "$dbg" "$tmp/csrun.debug"
  objcopy --remove-section=.gnu_debuglink "$tmp/csrun"
  objcopy --add-gnu-debuglink="$tmp/csrun.debug" "$tmp/csrun"
  csrun="$tmp/csrun"
fi
busybox_true_bundle "$tmp/b" "$csrun"
busybox_true_bundle "$tmp/r" "$csrun"
cat > "$tmp/inner.sh" <<INNER
set -e
source "$here/common.sh"
hide_unified_cgroup2
: > "$tmp/netns"; unshare --net="$tmp/netns" true
/usr/bin/python3 "$here/real-bundle.py" "$repo/spec-fixtures/valid/podman-run-busybox-true.json" \
  "$tmp/r" "$tmp/r/rootfs" "$tmp/netns"
mount -t tmpfs csrun-bench-state "$tmp/state"
id=csrb\$\$-breakdown
if [ -n "$cg" ]; then
  # On a read-only mount csrun skips its re-exec from a read-only view (valgrind would lose it).
  mount --bind -o ro "$csrun" "$csrun"
  # The realistic bundle twice: its first create compiles the profile and stores it in the
  # seccomp cache, the second reads it back (the state of every later create). The cache's key
  # holds libseccomp's API level, which differs under valgrind (no seccomp(2) probes): hence
  # two creates under valgrind rather than a native warm-up.
  for b in b r-first r; do
    d=\${b%-first}
    "$csrun" --root "$tmp/state" run --bundle "$tmp/\$d" \$id-warm\$b
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.\$b" "$csrun" --root "$tmp/state" \
      create --bundle "$tmp/\$d" \$id-\$b >"$tmp/vg.\$b" 2>&1 </dev/null || true
    "$csrun" --root "$tmp/state" delete -f \$id-\$b 2>/dev/null || true
  done
  umount "$csrun"
else
  b=b; [ -z "$real" ] || b=r
  "$csrun" --root "$tmp/state" run --bundle "$tmp/\$b" \$id-warm
  strace -f -tt -T -o "$tmp/strace.txt" "$csrun" --root "$tmp/state" run --bundle "$tmp/\$b" \$id
fi
umount "$tmp/state"
umount "$tmp/netns"
INNER
unshare -m --propagation private /usr/bin/python3 "$here/subreaper.py" bash "$tmp/inner.sh"
if [ -n "$cg" ]; then
  [ -z "$keep" ] || cp "$tmp/cg.b" "$tmp/cg.r-first" "$tmp/cg.r" "$keep"
  /usr/bin/python3 "$here/breakdown-callgrind.py" "$tmp/cg.b" "$tmp/cg.r-first" "$tmp/cg.r"
else
  [ -z "$keep" ] || cp "$tmp/strace.txt" "$keep"
  /usr/bin/python3 "$here/breakdown.py" "$tmp/strace.txt"
fi
