#!/bin/bash
# tests/vm/run.sh - csrun on cgroup v2 with both cgroup drivers, in the Debian test VM (systemd
# as PID 1, cgroup v2 only). Builds out/csrun if it is missing, builds the VM image once per
# machine (cached in $VM_DIR, default /var/tmp/csrun-vm), boots it once and runs
# tests/vm/cgroup-v2.sh inside with this repo at /host. The VM scripts come from shared/vm
# beside the repo (CI puts a copy of shared/ at ../shared); VM_SCRIPTS overrides.
# Exit status: the guest script's (0 all passed), 124 VM timeout, 125 VM died.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
vm=${VM_SCRIPTS:-$repo/../shared/vm}
export VM_DIR=${VM_DIR:-/var/tmp/csrun-vm}
t0=$(date +%s)
stamp() { echo "[vm +$(( $(date +%s) - t0 ))s] $*"; }

[ -x "$vm/run-in-vm.sh" ] || { echo "tests/vm/run.sh: $vm/run-in-vm.sh not found (set VM_SCRIPTS)" >&2; exit 2; }
missing=()
for p in qemu-system-x86 debootstrap cpio e2fsprogs time; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  stamp "apt-get install ${missing[*]}"
  flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ ! -x "$repo/out/csrun" ]; then
  stamp "building out/csrun"
  "$repo/build.sh"
fi
if [ ! -e "$VM_DIR/out/rootfs.img" ]; then
  stamp "building the VM image in $VM_DIR (once per machine)"
  mkdir -p "$VM_DIR"
  # One build at a time; a second caller finds the image when the lock is free.
  flock "$VM_DIR.lock" sh -c "[ -e '$VM_DIR/out/rootfs.img' ] || '$vm/build-image.sh'"
fi

stamp "booting the VM: tests/vm/cgroup-v2.sh"
rc=0
VM_SHARE="$repo" VM_TIMEOUT=${VM_TIMEOUT:-600} "$vm/run-in-vm.sh" ./tests/vm/cgroup-v2.sh || rc=$?
result=PASS
[ $rc = 0 ] || result="FAIL (rc=$rc)"
echo "vm cgroup-v2 (cgroupfs + systemd drivers): $result in $(( $(date +%s) - t0 ))s"
exit $rc
