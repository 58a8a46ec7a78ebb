#!/bin/bash
# tests/arm64/run.sh - out/csrun-arm64 in an emulated arm64 machine (qemu-system-aarch64, TCG):
# Debian's arm64 kernel, and an initramfs made here from Debian's arm64 busybox-static and
# libc6 (csrun's one shared library), csrun-arm64 and tests/arm64/smoke.sh, which runs as the
# VM's first process. Kernel and packages come from tests/arm64/debs.sh; the initramfs is cached
# under /var/tmp/csrun-arm64, keyed by the hash of what goes in it.
# Exit status: 0 when the smoke test passed, 1 when it failed, 124 VM timeout, 125 VM died.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
t0=$(date +%s)
say() { echo "[arm64 +$(( $(date +%s) - t0 ))s] $*"; }
timeout=${CSRUN_ARM64_TIMEOUT:-900}

missing=()
for p in qemu-system-arm cpio; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  flock /tmp/apt.lock apt-get update -qq
  flock /tmp/apt.lock env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
[ -x "$repo/out/csrun-arm64" ] || { say "building out/csrun-arm64"; "$repo/build.sh" arm64; }

kpkg=$("$repo/tests/arm64/debs.sh" --depends linux-image-arm64)
root=$("$repo/tests/arm64/debs.sh" "$kpkg" busybox-static libc6)
kernel=$(ls "$root"/boot/vmlinuz-* | head -1)

key=$(cat "$repo/out/csrun-arm64" "$repo/tests/arm64/init" "$repo/tests/arm64/smoke.sh" <(echo "$root") | sha256sum | cut -c1-16)
initrd=/var/tmp/csrun-arm64/initramfs-$key.cpio.gz
if [ ! -f "$initrd" ]; then
  say "building $initrd"
  stage=$(mktemp -d /var/tmp/csrun-arm64/stage.XXXXXX)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage"/{bin,proc,sys,dev,tmp,run,etc}
  cp "$root/bin/busybox" "$stage/bin/busybox"
  # glibc: the loader and the libraries csrun names (DT_NEEDED), from libc6:arm64
  mkdir -p "$stage/lib/aarch64-linux-gnu"
  cp -a "$root"/lib/aarch64-linux-gnu/{ld-linux-aarch64.so.1,libc.so.6,libm.so.6,libdl.so.2,libpthread.so.0,librt.so.1} "$stage/lib/aarch64-linux-gnu/" 2>/dev/null || true
  cp -a "$root"/lib/ld-linux-aarch64.so.1 "$stage/lib/" 2>/dev/null \
    || ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$stage/lib/ld-linux-aarch64.so.1"
  cp "$repo/out/csrun-arm64" "$stage/csrun"
  cp "$repo/tests/arm64/init" "$stage/init"
  cp "$repo/tests/arm64/smoke.sh" "$stage/smoke.sh"
  (cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$initrd.tmp"
  mv "$initrd.tmp" "$initrd"
fi

say "booting $(basename "$kernel") with $(basename "$initrd")"
log=$(mktemp /tmp/csrun-arm64-console.XXXXXX)
rc=0
timeout -k 10 "$timeout" qemu-system-aarch64 -M virt -cpu max -smp 1 -m 1G -accel tcg \
  -nodefaults -display none -no-reboot -nic none -serial stdio \
  -kernel "$kernel" -initrd "$initrd" \
  -append "console=ttyAMA0 rdinit=/init panic=-1 quiet" < /dev/null > "$log" 2>&1 || rc=$?
grep -vE '^\s*$' "$log" | grep -vE '^\[ *[0-9]+\.[0-9]+\]' || true
if grep -q 'ARM64-SMOKE: PASS' "$log"; then result=0
elif grep -q 'ARM64-SMOKE: FAIL' "$log"; then result=1
elif [ $rc = 124 ] || [ $rc = 137 ]; then result=124; echo "the VM ran out of time (${timeout} s)"; tail -20 "$log"
else result=125; echo "the VM stopped without a result (qemu exit $rc)"; tail -40 "$log"; fi
rm -f "$log"
echo "arm64 VM smoke test: $([ $result = 0 ] && echo PASS || echo "FAIL (rc=$result)") in $(( $(date +%s) - t0 ))s"
exit $result
