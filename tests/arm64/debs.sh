#!/usr/bin/env bash
# tests/arm64/debs.sh PKG...  Debian's arm64 packages, extracted (dpkg -x) into one directory
# whose path it prints: the cross build's libseccomp.a, the arm64 VM's kernel, busybox and libc.
# Without `dpkg --add-architecture` (a machine-wide change): apt runs on a private state
# directory that knows arm64 only, with the host's sources. Cached under /var/tmp, keyed by the
# .deb file names (name_version_arch), so a new Debian point release makes a new directory.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 PKG... | --depends PKG" >&2; exit 2; }
base=/var/tmp/csrun-arm64
apt_dir=$base/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$base/debs"
touch "$apt_dir/status"
# parallel runs (the VM test while a build fetches libseccomp) share the private apt state
exec 9> "$base/lock"
flock 9
opts=(-o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache" -o Dir::State::status="$apt_dir/status"
  -o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
# The index is refreshed once a day at most.
if [ -z "$(find "$apt_dir/lists" -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
  apt-get "${opts[@]}" update >&2
fi
# --depends PKG: the first package PKG depends on (linux-image-arm64 -> linux-image-6.1.0-N-arm64)
if [ "$1" = --depends ]; then
  apt-cache "${opts[@]}" show --no-all-versions "$2:arm64" | sed -n 's/^Depends: //p' | head -1 | sed -E 's/[ ,(|].*//'
  exit 0
fi
cd "$base/debs"
# one apt-cache call for every version (each call reads the whole index)
declare -A version
while read -r p v; do version[$p]=$v; done < <(apt-cache "${opts[@]}" show --no-all-versions "${@/%/:arm64}" |
  awk '/^Package: /{p=$2} /^Version: /{print p, $2}')
names=()
for p in "$@"; do
  # apt-get download's file name: name_version_arch.deb, an epoch's colon written %3a
  v=${version[$p]:-}
  [ -n "$v" ] || { echo "$0: no arm64 package $p" >&2; exit 1; }
  prefix="${p}_${v//:/%3a}_"
  f=$(ls "${prefix}arm64.deb" "${prefix}all.deb" 2>/dev/null | head -1 || true)
  if [ -z "$f" ]; then apt-get "${opts[@]}" download "$p:arm64" >&2; f=$(ls "${prefix}"*.deb | head -1); fi
  names+=("$f")
done
key=$(printf '%s\n' "${names[@]}" | sha256sum | cut -c1-16)
root=$base/root-$key
if [ ! -d "$root" ]; then
  rm -rf "$root.tmp"; mkdir -p "$root.tmp"
  for f in "${names[@]}"; do dpkg -x "$f" "$root.tmp"; done
  mv "$root.tmp" "$root"
fi
echo "$root"
