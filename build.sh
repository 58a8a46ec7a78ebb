#!/usr/bin/env bash
# ./build.sh         build the release binary to out/csrun
# ./build.sh deps    install what building and testing need (Debian 12)
# ./build.sh demo    deps + build + run a container from a busybox bundle
# ./build.sh test    deps + build + every test
# ./build.sh arm64   cross-compile out/csrun-arm64 (linux-arm64) on this x86_64 host
set -euo pipefail
cd "$(dirname "$0")"

deps() {
  # Building: clang, zlib and libseccomp for NativeAOT; the arm64 cross build: the aarch64
  # binutils, glibc and libgcc that gcc-aarch64-linux-gnu brings (clang links with them); testing: the peers and managers csrun is
  # compared with and run under (containernetworking-plugins: the CRI tests' pod network), and the
  # tools the tests call; the VM tests (tests/vm, tests/arm64): QEMU, mmdebstrap, mke2fs and cpio. The .NET SDK
  # is not a Debian package: README, "Set-up".
  local pkgs=(clang zlib1g-dev libseccomp-dev busybox-static runc crun podman uidmap containerd containernetworking-plugins docker.io skopeo umoci hyperfine strace jq iproute2 util-linux time binutils python3 libseccomp2
    qemu-system-x86 mmdebstrap e2fsprogs cpio gcc-aarch64-linux-gnu qemu-system-arm)
  local missing=()
  for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  echo "build.sh deps: Debian packages: ${pkgs[*]}"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build.sh deps: installing: ${missing[*]}"
    apt-get update -qq
    # Installing must not start services (dockerd, containerd) that would change the host's
    # iptables or outlive the tests: the tests run their own daemons. A policy-rc.d saying "no"
    # does that on a host without one (this host has its own).
    local policy=/usr/sbin/policy-rc.d made=0
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; made=1; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || { [ $made = 0 ] || rm -f "$policy"; return 1; }
    [ $made = 0 ] || rm -f "$policy"
  else
    echo "build.sh deps: all installed"
  fi
  # checkpoint/restore tests: a CRIU that works on this kernel, from Debian trixie (tests/criu).
  echo "build.sh deps: CRIU for the checkpoint tests: $(tests/criu/get-criu.sh)"
  command -v dotnet >/dev/null && echo "build.sh deps: .NET SDK $(dotnet --version) (global.json: $(sed -nE 's/.*"version": *"([^"]*)".*/\1/p' global.json) or a later feature band)" \
    || echo "build.sh deps: no .NET 10 SDK (dotnet) on PATH: README.md, \"Set-up\", says how to install it" >&2
}

build() {
  dotnet publish src/CsRun/CsRun.csproj -c Release -r linux-x64 -o out/publish -nologo -v quiet -p:TreatWarningsAsErrors=true
  mkdir -p out
  # rename, not copy: a running csrun (a container not yet started) keeps the old inode busy
  cp out/publish/csrun out/csrun.new && mv -f out/csrun.new out/csrun
  echo "built out/csrun ($(stat -c %s out/csrun) bytes)"
}

# linux-arm64: NativeAOT cross-compiles (the SDK restores the arm64 ILCompiler and runtime packs
# from NuGet); clang --target=aarch64-linux-gnu links with Debian's cross glibc, and libseccomp
# comes from libseccomp-dev:arm64, extracted (tests/arm64/debs.sh) rather than installed.
build_arm64() {
  local root
  root=$(tests/arm64/debs.sh libseccomp-dev)
  dotnet publish src/CsRun/CsRun.csproj -c Release -r linux-arm64 -o out/publish-arm64 -nologo -v quiet -p:TreatWarningsAsErrors=true \
    -p:LibSeccompStatic="$root/usr/lib/aarch64-linux-gnu/libseccomp.a"
  mkdir -p out
  cp out/publish-arm64/csrun out/csrun-arm64.new && mv -f out/csrun-arm64.new out/csrun-arm64
  echo "built out/csrun-arm64 ($(stat -c %s out/csrun-arm64) bytes)"
}

case "${1:-build}" in
  build) build ;;
  deps) deps ;;
  demo) deps; build; exec tests/demo.sh ;;
  test) deps; build; build_arm64; exec tests/run-all.sh ;;
  arm64) build_arm64 ;;
  *) echo "usage: $0 [build|deps|demo|test|arm64]" >&2; exit 2 ;;
esac
