#!/usr/bin/env bash
# bench/vm.sh [--quick] [--out FILE]: csrun, runc and crun on cgroup v2 with systemd as PID 1, in
# the project's test VM (tests/vm: Debian 12, Linux 6.1), with both cgroup drivers (cgroupfs and
# --systemd-cgroup), on the bare `runc spec` bundle and the realistic one (podman's config, as in
# run.sh). The guest is emulated (TCG) without KVM: read the ratios, interleaved within one boot,
# not the absolute times. Uses out/csrun; the guest side is bench/vm-guest.sh.
#   --quick   2 rounds (proves it works); default 15
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
rounds=15 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) rounds=2 ;;
    --out) out=$(readlink -f "$2"); shift ;;
    *) echo "vm.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[ -x "$repo/out/csrun" ] || { echo "vm.sh: build out/csrun first (./build.sh)" >&2; exit 1; }
# The bundles are made here (the guest has no python) with the paths they have in the guest:
# out/vm-bench is copied to /run/vmb there (a tmpfs, not the 9p share).
work=$repo/out/vm-bench
rm -rf "$work"; mkdir -p "$work/rootfs/bin" "$work/rootfs/proc" "$work/rootfs/sys" "$work/rootfs/dev" \
  "$work/rootfs/etc" "$work/rootfs/tmp" "$work/rootfs/run"
trap 'rm -rf "$work"' EXIT
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
ln -s busybox "$work/rootfs/bin/true"
echo "root:x:0:0:root:/:/bin/sh" > "$work/rootfs/etc/passwd"
mkdir -p "$work/bare"
(cd "$work/bare" && runc spec)
python3 - "$work" <<'PY'
import json, sys
w = sys.argv[1]
p = f"{w}/bare/config.json"
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
c["root"]["path"] = "/run/vmb/rootfs"
json.dump(c, open(p, "w"), indent=2)
PY
: > "$work/netns"
python3 "$here/real-bundle.py" "$repo/spec-fixtures/valid/podman-run-busybox-true.json" \
  "$work/real" "$work/rootfs" "$work/netns"
sed -i "s|$work|/run/vmb|g" "$work/real/config.json"
echo "$rounds" > "$work/rounds"
img=$("$repo/tests/vm/image.sh")
rc=0
CSRUN_VM_TIMEOUT=1800 "$repo/tests/vm/boot.sh" "$img" "$repo" bench/vm-guest.sh | tee "$work/report.log" || rc=$?
[ -z "$out" ] || sed -n '/^| /p; /^guest/p' "$work/report.log" > "$out"
exit $rc
