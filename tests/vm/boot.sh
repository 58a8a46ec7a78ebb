#!/bin/bash
# tests/vm/boot.sh IMAGE_DIR SHARE SCRIPT - boot the test VM from IMAGE_DIR (tests/vm/image.sh),
# with the directory SHARE at /host, and run SCRIPT (a path relative to SHARE) there as root once
# systemd has booted; print its output and exit with its status: 124 if it ran out of time
# (CSRUN_VM_TIMEOUT seconds, default 1800: the checkpoint tests take minutes under TCG), 125 if
# the VM stopped without reporting one.
# The root disk is opened with snapshot=on: every boot starts from the image as built.
# CSRUN_VM_CRIU, if set, is a directory shared read-only as the 9p tag "criu" (tests/criu's CRIU,
# which tests/vm/criu-guest.sh mounts): the guest gets it without a rebuilt image.
# /dev/kvm is used where it is real KVM (the CPU has vmx or svm); a PVM /dev/kvm cannot run
# a stock kernel, so otherwise QEMU emulates (TCG).
set -uo pipefail
[ $# = 3 ] || { echo "usage: tests/vm/boot.sh IMAGE_DIR SHARE SCRIPT" >&2; exit 2; }
img=$1 share=$(realpath "$2") script=$3
timeout=${CSRUN_VM_TIMEOUT:-1800}
cpus=$(nproc); [ "$cpus" -gt 4 ] && cpus=4
for f in vmlinux initrd.img rootfs.img; do
  [ -e "$img/$f" ] || { echo "tests/vm/boot.sh: $img/$f missing" >&2; exit 2; }
done

if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=(-accel kvm -cpu host)
else accel=(-accel tcg,thread=multi -cpu max); fi

# ctl: the command in, its status and boot facts out; removed with the console log on exit
ctl=$(mktemp -d /tmp/csrun-vm-ctl.XXXXXX)
trap 'rm -rf "$ctl"' EXIT
printf 'exec %q\n' "./$script" > "$ctl/cmd"

extra=()
if [ -n "${CSRUN_VM_CRIU:-}" ]; then
  [ -d "$CSRUN_VM_CRIU" ] || { echo "tests/vm/boot.sh: CSRUN_VM_CRIU=$CSRUN_VM_CRIU is not a directory" >&2; exit 2; }
  extra+=(-virtfs "local,path=$CSRUN_VM_CRIU,mount_tag=criu,security_model=none,readonly=on")
fi

t0=$(date +%s.%N)
# ttyS0 (kernel and systemd) to the console log, ttyS1 (the script's output) to our stdout
timeout -k 10 "$timeout" qemu-system-x86_64 "${accel[@]}" -machine q35 -smp "$cpus" -m 2G \
  -nodefaults -display none -no-reboot -nic none -device virtio-rng-pci \
  -kernel "$img/vmlinux" -initrd "$img/initrd.img" \
  -append "console=ttyS0 root=/dev/vda rw quiet panic=-1 no_timer_check systemd.unified_cgroup_hierarchy=1 cgroup_no_v1=all systemd.show_status=false systemd.mask=getty.target csrun.vmrun" \
  -drive "file=$img/rootfs.img,if=virtio,format=raw,snapshot=on,cache=unsafe" \
  -virtfs "local,path=$ctl,mount_tag=ctl,security_model=none" \
  -virtfs "local,path=$share,mount_tag=host,security_model=passthrough" "${extra[@]}" \
  -serial "file:$ctl/console.log" -chardev stdio,id=out,signal=off -serial chardev:out < /dev/null
qemu=$?
took=$(awk "BEGIN { printf \"%.0f\", $(date +%s.%N) - $t0 }")

if [ -f "$ctl/status" ]; then
  echo "tests/vm/boot.sh: ${accel[1]}, $cpus CPUs: systemd $(cat "$ctl/boot-state") after $(cat "$ctl/booted-after") s of guest uptime; ${took} s in all" >&2
  exit "$(cat "$ctl/status")"
fi
if [ $qemu = 124 ] || [ $qemu = 137 ]; then
  echo "tests/vm/boot.sh: the VM ran out of time (${timeout} s); console:" >&2; tail -25 "$ctl/console.log" >&2
  exit 124
fi
echo "tests/vm/boot.sh: the VM stopped without a status (qemu exit $qemu); console:" >&2
tail -40 "$ctl/console.log" >&2
exit 125
