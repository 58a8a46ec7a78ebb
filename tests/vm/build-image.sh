#!/bin/bash
# tests/vm/build-image.sh DEST - build the test VM's image into the empty directory DEST:
#   vmlinux     the guest kernel, uncompressed: QEMU boots it straight through PVH, where the
#               xz bzImage would cost seconds of decompression under TCG
#   initrd.img  busybox and the modules to mount the root disk (guest/init)
#   rootfs.img  sparse ext4 image of a Debian bookworm root: systemd as PID 1, cgroup v2 only,
#               D-Bus, runc, crun, podman, busybox-static, jq; booted read-only (snapshot=on)
#   packages    what got installed (name version), for the record
# Called by tests/vm/image.sh, which keys DEST on a hash of this file and guest/: a change here
# builds a new image. Debian packages only, from the Debian mirror; needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:?usage: build-image.sh DEST}
mirror=http://deb.debian.org/debian
suite=bookworm
root=$dest/work/root
t0=$(date +%s)
say() { echo "[build-image +$(( $(date +%s) - t0 ))s] $*"; }

# systemd (and udev, kmod for the modules 9p needs) as PID 1, D-Bus for --systemd-cgroup;
# the peers csrun is compared with; what tests/vm/cgroup-v2.sh calls.
packages=(
  systemd-sysv udev kmod dbus linux-image-amd64
  runc crun podman conmon netavark aardvark-dns iptables catatonit golang-github-containers-common
  busybox-static jq mawk procps
)

mkdir -p "$dest/work"
say "mmdebstrap $suite from $mirror (log: $dest/work/mmdebstrap.log)"
if ! mmdebstrap --mode=root --variant=minbase --format=directory \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='APT::Install-Recommends "false"' --dpkgopt=force-unsafe-io \
    --include="$(IFS=,; echo "${packages[*]}")" \
    "$suite" "$root" "$mirror" > "$dest/work/mmdebstrap.log" 2>&1; then
  tail -40 "$dest/work/mmdebstrap.log" >&2
  exit 1
fi
say "root installed: $(du -sh "$root" | cut -f1)"

kver=$(ls "$root/lib/modules")
[ "$(wc -w <<<"$kver")" = 1 ] || { echo "build-image: expected one kernel, found: $kver" >&2; exit 1; }

# --- the guest's configuration ------------------------------------------------------------
echo csrun-vm > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 csrun-vm\n' > "$root/etc/hosts"
echo '/dev/vda / ext4 rw,noatime 0 1' > "$root/etc/fstab"
# A fixed machine-id: every boot starts from the same snapshot, none is a "first boot".
tr -d - < /proc/sys/kernel/random/uuid > "$root/etc/machine-id"
# Nor does any boot follow an update (ConditionNeedsUpdate= units stay off).
touch "$root/etc/.updated" "$root/var/.updated"
chroot "$root" passwd -d root > /dev/null   # a console login for debugging, no network
mkdir -p "$root/host" "$root/etc/systemd/system.conf.d" "$root/etc/systemd/journald.conf.d"
# Accounting on for every unit: systemd then enables cpu, io, memory and pids in the root
# cgroup's subtree_control, so a container's cgroup under / or a scope can use them.
cat > "$root/etc/systemd/system.conf.d/csrun-vm.conf" <<'CONF'
[Manager]
DefaultCPUAccounting=yes
DefaultIOAccounting=yes
DefaultMemoryAccounting=yes
DefaultTasksAccounting=yes
DefaultTimeoutStopSec=5s
CONF
printf '[Journal]\nStorage=volatile\n' > "$root/etc/systemd/journald.conf.d/csrun-vm.conf"
# Units a throw-away VM has no use for, some of them slow under emulation (podman's run the
# podman binary at boot).
for u in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
    e2scrub_reap.service fstrim.timer systemd-timesyncd.service systemd-pstore.service \
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount sys-kernel-debug.mount \
    sys-kernel-tracing.mount modprobe@drm.service modprobe@loop.service modprobe@dm_mod.service \
    modprobe@efi_pstore.service podman.service podman.socket podman-restart.service \
    podman-auto-update.service podman-auto-update.timer podman-clean-transient.service \
    systemd-update-utmp.service systemd-update-utmp-runlevel.service serial-getty@ttyS1.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$u"
done
# podman: netavark, not the CNI backend whose plugins are not installed
mkdir -p "$root/etc/containers"
printf '[network]\nnetwork_backend = "netavark"\n' > "$root/etc/containers/containers.conf"
# the runner
install -m 0755 "$here/guest/csrun-vm-run" "$root/usr/local/sbin/csrun-vm-run"
install -m 0644 "$here/guest/csrun-vm-run.service" "$root/etc/systemd/system/csrun-vm-run.service"
chroot "$root" systemctl enable csrun-vm-run.service > /dev/null 2>&1

# Smaller: no docs, apt caches or initramfs-tools' initrd (the VM boots guest/init), and no
# kernel modules for hardware a QEMU guest does not have.
rm -rf "$root"/usr/share/{doc,man,info,locale}/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
  "$root"/boot/initrd.img*
km=$root/lib/modules/$kver/kernel
rm -rf "$km"/sound "$km"/drivers/{gpu,media,infiniband,net/wireless,bluetooth,staging,iio,isdn,usb,hid,video} \
  "$km"/net/{wireless,mac80211,bluetooth}
chroot "$root" depmod "$kver"
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' > "$dest/packages"
say "configured (kernel $kver)"

# --- kernel and initramfs --------------------------------------------------------------------
python3 - "$root/boot/vmlinuz-$kver" "$dest/vmlinux" <<'PY'
# The bzImage carries the kernel as one xz stream after its setup code: decompress from the magic.
import lzma, sys
image = open(sys.argv[1], "rb").read()
start = image.find(b"\xfd7zXZ\x00")
if start < 0:
    sys.exit("build-image: the kernel image holds no xz stream")
open(sys.argv[2], "wb").write(lzma.LZMADecompressor().decompress(image[start:]))
PY
ird=$dest/work/initrd
mkdir -p "$ird"/{bin,dev,proc,sys,root}
cp "$root/usr/bin/busybox" "$ird/bin/busybox"
for a in sh mount umount insmod sleep switch_root; do ln -s busybox "$ird/bin/$a"; done
# each module after its dependencies, as modprobe would load them
for m in virtio_pci virtio_blk ext4; do
  chroot "$root" modprobe --set-version "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | awk '!seen[$0]++' | while read -r ko; do
  mkdir -p "$ird$(dirname "$ko")"
  cp "$root$ko" "$ird$ko"
  echo "${ko#/}" >> "$ird/modules.order"
done
install -m 0755 "$here/guest/init" "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$dest/initrd.img"
say "initramfs: $(wc -l < "$ird/modules.order") modules"

# --- the root disk: mke2fs copies the tree itself (no loop device, no mount) ------------------
mke2fs -q -t ext4 -L csrun-vm -d "$root" "$dest/rootfs.img" 3G > /dev/null
rm -rf "$dest/work"
say "done: rootfs.img $(du -h "$dest/rootfs.img" | cut -f1) on disk"
