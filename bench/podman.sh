#!/usr/bin/env bash
# bench/podman.sh [--quick] [--csrun PATH] [--out FILE]
#
# `podman run --rm --network=none IMAGE true` with csrun, crun and runc as podman's OCI runtime,
# interleaved (the order rotated each round), one podman storage for all three (vfs, private
# dirs, a busybox image imported from a tar: no registry). Then the same rounds once more with each
# runtime behind a wrapper that records how long every call of the runtime took, for the runtime's
# share of podman's total. See bench/README.md "Through podman".
#   --quick   3 rounds (CI proves it works); default 20
#   --out F   also write the results (markdown) to F
# Exit status 0 only if every run succeeded and nothing was left behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")

if [ "${1:-}" != "--inner" ]; then
  rounds=20 csrun="$repo/out/csrun" out=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) rounds=3 ;;
      --csrun) csrun=$2; shift ;;
      --out) out=$2; shift ;;
      -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) echo "podman.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
  done
  fail() { echo "podman.sh: $*" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || fail "must run as root"
  for t in podman conmon runc crun unshare busybox; do
    command -v "$t" >/dev/null || fail "missing $t (apt-get install podman runc crun busybox-static)"
  done
  [ -x "$csrun" ] || fail "no csrun binary at $csrun: build it with ./build.sh"
  csrun=$(readlink -f "$csrun")
  [ -n "$out" ] && out=$(readlink -f "$out")
  tmp=$(mktemp -d /tmp/csrun-podman-bench.XXXXXX)
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  # The default state roots podman's runtimes use (podman 4.3 passes no --root to `cleanup`):
  # whatever the bench adds there is removed at the end.
  for d in /run/csrun /run/runc /run/crun; do [ -e "$d" ] && touch "$tmp/existed.${d##*/}"; done
  # podman's cgroupfs manager puts conmon in /libpod_parent/conmon of every hierarchy
  [ -e /sys/fs/cgroup/pids/libpod_parent ] && touch "$tmp/existed.libpod_parent"
  rc=0
  unshare -m --propagation private bash "$here/podman.sh" --inner "$tmp" "$rounds" "$csrun" "$out" || rc=$?
  for d in /run/csrun /run/runc /run/crun; do
    [ -e "$tmp/existed.${d##*/}" ] || rm -rf "$d"
  done
  if [ ! -e "$tmp/existed.libpod_parent" ]; then
    for d in /sys/fs/cgroup/*/libpod_parent; do
      [ -d "$d" ] || continue
      [ ! -d "$d/conmon" ] || rmdir "$d/conmon" || rc=1
      rmdir "$d" || rc=1
    done
  fi
  [ $rc = 0 ] || echo "podman.sh: FAILED (exit $rc)" >&2
  exit $rc
fi

tmp=$2 rounds=$3 csrun=$4 out=$5
# crun 1.8 refuses the hybrid cgroup layout: hide its cgroup2 mount in this namespace (as run.sh).
if mountpoint -q /sys/fs/cgroup/unified && [ "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
  umount /sys/fs/cgroup/unified
  mount -t tmpfs -o size=1m,mode=0755 csrun-bench /sys/fs/cgroup/unified
fi
# podman writes a blob-info cache under /var/lib/containers/cache whatever --root says: a tmpfs here.
cache=/var/lib/containers/cache
target=$cache; while [ ! -d "$target" ]; do target=$(dirname "$target"); done
mount -t tmpfs csrun-bench "$target"

st=$tmp/podman
mkdir -p "$st/networks" "$tmp/rootfs/bin" "$tmp/rootfs/etc" "$tmp/times"
printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n' > "$st/containers.conf"
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s/root"\nrunroot = "%s/runroot"\n' "$st" "$st" > "$st/storage.conf"
export CONTAINERS_CONF=$st/containers.conf CONTAINERS_STORAGE_CONF=$st/storage.conf
pm() {
  podman --root "$st/root" --runroot "$st/runroot" --tmpdir "$st/tmp" --network-config-dir "$st/networks" \
    --storage-driver vfs --cgroup-manager cgroupfs --events-backend file "$@"
}
cp "$(command -v busybox)" "$tmp/rootfs/bin/busybox"
ln -s busybox "$tmp/rootfs/bin/true"
echo "root:x:0:0:root:/:/bin/sh" > "$tmp/rootfs/etc/passwd"
tar -C "$tmp/rootfs" -c . | pm import -q - localhost/csrun-bench-busybox > /dev/null

# One wrapper per runtime for the share: bash's $EPOCHREALTIME needs no fork.
for rt in csrun crun runc; do
  bin=$rt; [ $rt = csrun ] && bin=$csrun
  cat > "$tmp/timed-$rt" <<EOF
#!/bin/bash
t0=\$EPOCHREALTIME
"$bin" "\$@"
rc=\$?
echo "\$t0 \$EPOCHREALTIME" >> "$tmp/times/$rt.\$PPID"
exit \$rc
EOF
  chmod +x "$tmp/timed-$rt"
done

runtimes=(csrun crun runc)
path_of() { case $1 in csrun) echo "$csrun" ;; *) command -v "$1" ;; esac; }
# one_run RUNTIME-PATH: wall ms of one podman run --rm
one_run() {
  local t0 t1
  t0=$EPOCHREALTIME
  pm --runtime "$1" run --rm --network=none localhost/csrun-bench-busybox true > /dev/null
  t1=$EPOCHREALTIME
  echo "$(( (${t1/./} - ${t0/./}) / 1000 ))"
}
# warm-up: one run each (seccomp caches, page cache)
for rt in "${runtimes[@]}"; do one_run "$(path_of $rt)" > /dev/null; done
for pass in plain timed; do
  for ((r = 0; r < rounds; r++)); do
    for ((i = 0; i < 3; i++)); do
      rt=${runtimes[$(( (r + i) % 3 ))]}
      if [ $pass = plain ]; then p=$(path_of $rt); else p=$tmp/timed-$rt; rm -f "$tmp/times/$rt".*; fi
      ms=$(one_run "$p")
      echo "$ms" >> "$tmp/$pass.$rt"
      if [ $pass = timed ]; then
        # the runtime's time in this podman run: the sum of its calls
        cat "$tmp/times/$rt".* | awk -v tot="$ms" '{ s += $2 - $1 } END { printf "%d %d\n", s * 1000, tot }' >> "$tmp/share.$rt"
      fi
    done
  done
done
[ -z "$(pm ps -aq)" ] || { echo "podman.sh: containers left behind" >&2; exit 1; }

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
{
  echo "podman $(podman --version | awk '{print $3}'), $rounds rounds, $(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| runtime | podman run --rm, ms (median) | /crun | runtime's own time, ms (median) | runtime's share of podman's total |"
  echo "|---|---|---|---|---|"
  crun_ms=$(median < "$tmp/plain.crun")
  for rt in "${runtimes[@]}"; do
    m=$(median < "$tmp/plain.$rt")
    own=$(awk '{ print $1 }' "$tmp/share.$rt" | median)
    share=$(awk '{ print $1 / $2 }' "$tmp/share.$rt" | median)
    printf '| %s | %s | %.2f× | %s | %.0f%% |\n' "$rt" "$m" "$(echo "$m $crun_ms" | awk '{ print $1 / $2 }')" "$own" "$(echo "$share" | awk '{ print $1 * 100 }')"
  done
} | tee "$tmp/report.md"
[ -z "$out" ] || cp "$tmp/report.md" "$out"
