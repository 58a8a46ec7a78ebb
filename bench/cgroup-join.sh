#!/usr/bin/env bash
# bench/cgroup-join.sh [N]: cost of a new process joining a cgroup v2, from idle: fork + write to
# cgroup.procs against clone3 CLONE_INTO_CGROUP (bench/cgroup-join.c). Needs root, a C compiler
# and a cgroup2 mount (/sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified on hybrid ones).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
n=${1:-60}
[ "$(id -u)" = 0 ] || { echo "cgroup-join.sh: must run as root" >&2; exit 1; }
root=""
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
  [ "$(stat -f -c %T "$m" 2>/dev/null)" = cgroup2fs ] && { root=$m; break; }
done
[ -n "$root" ] || { echo "cgroup-join.sh: no cgroup2 mount" >&2; exit 1; }
cc=$(command -v cc || command -v clang || command -v gcc) || { echo "cgroup-join.sh: needs a C compiler" >&2; exit 1; }
tmp=$(mktemp -d)
dir="$root/csrun-cgroup-join-$$"
trap 'rmdir "$dir" 2>/dev/null; rm -rf "$tmp"' EXIT
"$cc" -O2 -o "$tmp/cgroup-join" "$here/cgroup-join.c"
mkdir "$dir"
echo "cgroup2 at $root, $n rounds, 50 ms apart:"
"$tmp/cgroup-join" "$dir" "$n"
