#!/usr/bin/env bash
# Assemble a busybox bundle, then run a container in it that shows its hostname, pid and mounts.
set -euo pipefail
cd "$(dirname "$0")/.."
csrun="$PWD/out/csrun"
bundle=$(mktemp -d /tmp/csrun-demo-XXXXXX)
root="$bundle/state"
trap '"$csrun" --root "$root" delete -f demo >/dev/null 2>&1 || true; rm -rf "$bundle"' EXIT

mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/proc" "$bundle/rootfs/sys" "$bundle/rootfs/dev" "$bundle/rootfs/etc"
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for applet in sh hostname cat echo ls ps; do ln -s busybox "$bundle/rootfs/bin/$applet"; done
echo "root:x:0:0:root:/:/bin/sh" > "$bundle/rootfs/etc/passwd"

"$csrun" spec --bundle "$bundle"
# No terminal, a demo command, and a hostname of our own.
sed -i -e 's/"terminal": true/"terminal": false/' \
       -e 's/"hostname": "runc"/"hostname": "csrun-demo"/' \
       -e 's|"sh"$|"sh", "-c", "echo hostname: $(hostname); echo pid: $$; echo mounts:; cat /proc/self/mounts"|' \
       "$bundle/config.json"
echo "+ csrun run --bundle $bundle demo"
"$csrun" --root "$root" run --bundle "$bundle" demo
