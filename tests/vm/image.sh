#!/bin/bash
# tests/vm/image.sh - print the directory of the test VM's image, building it first if this
# machine has none for the current builder. The image is cached once per machine in
# /var/tmp/csrun-vm-<hash> (CSRUN_VM_CACHE overrides /var/tmp), where <hash> covers every input of
# the build (build-image.sh and guest/*): an unchanged builder reuses the image, a changed one
# builds its own. Parallel callers build once: the first holds the lock, the others wait for it
# and find the image. A build goes to a temporary directory renamed into place when complete, so
# an interrupted build is never taken for an image.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CSRUN_VM_CACHE:-/var/tmp}
hash=$(cd "$here" && cat build-image.sh guest/* | sha256sum | cut -c1-16)
dir=$cache/csrun-vm-$hash

if [ ! -e "$dir/rootfs.img" ]; then
  for t in mmdebstrap mke2fs cpio python3; do
    command -v "$t" > /dev/null || { echo "tests/vm/image.sh: $t missing (tests/vm/run.sh installs it)" >&2; exit 1; }
  done
  mkdir -p "$cache"
  exec 9> "$dir.lock"
  flock 9
  if [ ! -e "$dir/rootfs.img" ]; then
    echo "tests/vm/image.sh: building the VM image in $dir (once per machine: about 7 minutes here, longer on a busy machine)" >&2
    rm -rf --one-file-system "$dir.partial"
    trap 'rm -rf --one-file-system "$dir.partial"' EXIT
    "$here/build-image.sh" "$dir.partial" >&2
    mv "$dir.partial" "$dir"
    trap - EXIT
  fi
  exec 9>&-
fi
echo "$dir"
