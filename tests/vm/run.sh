#!/bin/bash
# tests/vm/run.sh - csrun on cgroup v2 with both cgroup drivers, in the project's Debian test VM
# (systemd as PID 1, cgroup v2 only): installs the host packages the VM needs if missing, builds
# out/csrun if missing, gets the image from tests/vm/image.sh (built once per machine), boots it
# once and runs tests/vm/cgroup-v2.sh inside with this repo at /host.
# Exit status: the guest script's (0: all passed), 124 VM timeout, 125 VM died.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
t0=$(date +%s)
say() { echo "[vm +$(( $(date +%s) - t0 ))s] $*"; }

# QEMU to boot; mmdebstrap, mke2fs, cpio and python3 (the kernel's xz) to build the image
missing=()
for p in qemu-system-x86 mmdebstrap e2fsprogs cpio python3; do
  dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  flock /tmp/apt.lock apt-get update -qq
  flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
if [ ! -x "$repo/out/csrun" ]; then
  say "building out/csrun"
  "$repo/build.sh"
fi
img=$("$repo/tests/vm/image.sh")
# CRIU for the guest's checkpoint tests (criu-guest.sh): the host's, shared, not in the image
if criu=$("$repo/tests/criu/get-criu.sh"); then export CSRUN_VM_CRIU=${criu%/criu}
else say "no CRIU (tests/criu/get-criu.sh failed): the guest's checkpoint tests will skip"; fi
say "booting $img: tests/vm/cgroup-v2.sh"
rc=0
"$repo/tests/vm/boot.sh" "$img" "$repo" tests/vm/cgroup-v2.sh || rc=$?
result=PASS
[ $rc = 0 ] || result="FAIL (rc=$rc)"
echo "vm cgroup-v2 (cgroupfs + systemd drivers): $result in $(( $(date +%s) - t0 ))s"
exit $rc
