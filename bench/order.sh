#!/usr/bin/env bash
# bench/order.sh: regenerate src/CsRun/csrun.order, the managed methods csrun runs for
# run/create/start/state/list/delete/spec/--version, which the NativeAOT compiler places first
# (IlcOrderFile) so that they share as few 64 KB fault-around windows as possible: every page of
# csrun's code that a command touches brings its 64 KB neighbourhood into RSS (bench/README.md).
# Coverage comes from two sources, merged: perf sampling at 50 kHz over a few hundred commands,
# and valgrind callgrind's call graph of one run of each command (valgrind cannot run the
# container child past openat2, so the parent side is complete and the child's comes from perf).
# Needs root, perf, valgrind, objcopy, python3, and the same set-up as run.sh. Names that no longer exist
# are ignored by the compiler, so a stale file only costs memory, never correctness.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
[ "$(id -u)" = 0 ] || { echo "order.sh: must run as root" >&2; exit 1; }
for t in perf valgrind python3 busybox; do command -v $t >/dev/null || { echo "order.sh: needs $t" >&2; exit 1; }; done
tmp=$(mktemp -d /tmp/csrun-order.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
# A build that keeps its symbols, so that perf and valgrind can name the methods.
dotnet publish "$repo/src/CsRun/CsRun.csproj" -c Release -r linux-x64 -o "$tmp/bin" -nologo -v quiet -p:StripSymbols=false -p:IlcOrderFile=
cs="$tmp/bin/csrun"
# Keep the symbol table, drop the DWARF: valgrind 3.19 gives up on this compiler's debug info.
objcopy --strip-debug "$cs"
source "$here/common.sh"
mkdir -p "$tmp/state" "$tmp/spec"
busybox_true_bundle "$tmp/b" "$cs"
cat > "$tmp/inner.sh" <<INNER
set -e
source "$here/common.sh"
hide_unified_cgroup2
mount -t tmpfs csrun-order-state "$tmp/state"
perf record -q -e cpu-clock -F 49999 -o "$tmp/perf.data" -- bash -c '
  for i in \$(seq 100); do $cs --root $tmp/state run --bundle $tmp/b r\$i >/dev/null; done
  for i in \$(seq 60); do $cs --root $tmp/state create --bundle $tmp/b c\$i >/dev/null </dev/null
    $cs --root $tmp/state state c\$i >/dev/null; $cs --root $tmp/state list >/dev/null
    $cs --root $tmp/state start c\$i; $cs --root $tmp/state delete -f c\$i; done
  for i in \$(seq 60); do $cs --version >/dev/null; done' 2>/dev/null
for args in "run --bundle $tmp/b v1" "create --bundle $tmp/b v2" "state v2" "list" "start v2" "delete -f v2" "--version"; do
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.\$RANDOM" $cs --root $tmp/state \$args >/dev/null 2>&1 </dev/null || true
done
(cd $tmp/spec && valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.spec" $cs spec >/dev/null 2>&1) || true
for id in \$($cs --root $tmp/state list -q); do $cs --root $tmp/state delete -f \$id; done
umount "$tmp/state"
INNER
unshare -m --propagation private /usr/bin/python3 "$here/subreaper.py" bash "$tmp/inner.sh"
perf report -i "$tmp/perf.data" --no-children --sort sym -q -g none 2>/dev/null | awk '{print $3}' > "$tmp/perf.txt"
/usr/bin/python3 - "$tmp" "$repo/src/CsRun/csrun.order" <<'PY'
import glob, re, sys
tmp, out = sys.argv[1], sys.argv[2]
names = set(l.strip() for l in open(f"{tmp}/perf.txt"))
for f in glob.glob(f"{tmp}/cg.*"):
    for l in open(f):
        m = re.match(r"^c?fn=\(\d+\) (\S+)", l)
        if m: names.add(m.group(1))
managed = sorted(n for n in names if n.startswith(("S_P_", "csrun_", "System_")))
open(out, "w").write("\n".join(managed) + "\n")
print(f"{out}: {len(managed)} methods")
PY
