#!/bin/bash
# tests/criu/get-criu.sh - print the path of a CRIU that works on this host's kernel, setting it up
# first if this machine has none for the current script.
#
# Debian 12's CRIU 3.17.1 fails on recent kernels ("Unexpected rt vDSO area bounds"), so this takes
# CRIU 4.1 from Debian 13 (trixie) into a trixie root of its own (mmdebstrap), leaving the host's
# libraries alone, and writes a wrapper `criu` that runs it with the trixie loader and libraries.
# csrun and runc use it through their global `--criu PATH`.
#
# The wrapper sets CRIU_FAULT=130 (CRIU's "no hardware breakpoints" switch): CRIU 4.1 stops the
# parasite on an x86 debug-register breakpoint, which some hypervisors (this Firecracker VM) never
# deliver, so a dump hangs; the switch makes CRIU trace syscalls instead (CRIU 4.2 detects this
# itself). It costs a little speed and nothing else.
#
# CRIU runs `ip` (iproute2, which it only recommends) to save and restore a network namespace's
# addresses and routes; the trixie root gets its own, run through a wrapper the same way and named
# by CR_IP_TOOL, so that a host (or the test VM, tests/vm/criu-guest.sh) without iproute2 works.
#
# Cached once per machine in /var/tmp/csrun-criu-<hash> (CSRUN_CRIU_CACHE overrides /var/tmp),
# <hash> covering this script; built in a temporary directory renamed into place when complete;
# parallel callers build once (flock).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${CSRUN_CRIU_CACHE:-/var/tmp}
hash=$(sha256sum < "$here/get-criu.sh" | cut -c1-16)
dir=$cache/csrun-criu-$hash

if [ ! -x "$dir/criu" ]; then
  command -v mmdebstrap > /dev/null || { echo "tests/criu/get-criu.sh: mmdebstrap missing (./build.sh deps installs it)" >&2; exit 1; }
  mkdir -p "$cache"
  exec 9> "$dir.lock"
  flock 9
  if [ ! -x "$dir/criu" ]; then
    echo "tests/criu/get-criu.sh: setting up CRIU 4.1 from Debian trixie in $dir (once per machine, about 2 minutes)" >&2
    rm -rf --one-file-system "$dir.partial"
    trap 'rm -rf --one-file-system "$dir.partial"' EXIT
    mkdir -p "$dir.partial"
    mmdebstrap --quiet --variant=apt --include=criu,iproute2 \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      trixie "$dir.partial/root" http://deb.debian.org/debian >&2
    # criu and ip: each runs the trixie root's program with that root's loader and libraries
    for tool in criu:usr/sbin/criu ip:usr/bin/ip; do
      cat > "$dir.partial/${tool%%:*}" <<WRAPPER
#!/bin/sh
# ${tool#*:} from the trixie root next to this file, with that root's loader and libraries.
d=\$(dirname "\$(readlink -f "\$0")"); r=\$d/root
CRIU_FAULT=130 CR_IP_TOOL=\$d/ip exec "\$r/lib64/ld-linux-x86-64.so.2" --library-path "\$r/usr/lib/x86_64-linux-gnu" "\$r/${tool#*:}" "\$@"
WRAPPER
      chmod 755 "$dir.partial/${tool%%:*}"
    done
    "$dir.partial/criu" --version >&2
    "$dir.partial/ip" -V >&2
    mv "$dir.partial" "$dir"
    trap - EXIT
  fi
  exec 9>&-
fi
echo "$dir/criu"
