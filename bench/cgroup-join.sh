#!/usr/bin/env bash
# bench/cgroup-join.sh [N]: cost of a new process joining a cgroup, from idle (bench/cgroup-join.c).
# On a cgroup2 mount (/sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified on hybrid ones): fork +
# write to cgroup.procs against clone3 CLONE_INTO_CGROUP. On the v1 pids hierarchy, if there is
# one: the same write against the child writing "0" to `tasks` itself. Needs root and a C compiler.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-60}
[ "$(id -u)" = 0 ] || { echo "cgroup-join.sh: must run as root" >&2; exit 1; }
roots=()
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  [ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ] && { roots+=("$m"); break; }
done
[ "$(stat -f -c %T /sys/fs/cgroup/pids 2>/dev/null)" = cgroupfs ] && roots+=(/sys/fs/cgroup/pids)
[ ${#roots[@]} -gt 0 ] || { echo "cgroup-join.sh: no cgroup mount" >&2; exit 1; }
cc=$(command -v cc || command -v clang || command -v gcc) || { echo "cgroup-join.sh: needs a C compiler" >&2; exit 1; }
tmp=$(mktemp -d)
dirs=()
trap 'for d in "${dirs[@]}"; do rmdir "$d" 2>/dev/null; done; rm -rf "$tmp"' EXIT
"$cc" -O2 -o "$tmp/cgroup-join" "$here/cgroup-join.c"
for root in "${roots[@]}"; do
  dir="$root/csrun-cgroup-join-$$"
  mkdir "$dir"
  dirs+=("$dir")
  echo "$(stat -f -c %T "$root") at $root, $n rounds, 50 ms apart:"
  "$tmp/cgroup-join" "$dir" "$n"
done
