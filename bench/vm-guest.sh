#!/bin/bash
# bench/vm-guest.sh: the guest side of bench/vm.sh (run there as root from /host, the repo).
# `run` of /bin/true, interleaved rounds (the runtime order rotated), per bundle and cgroup driver.
set -uo pipefail
cp -a /host/out/vm-bench /run/vmb
# csrun from the guest's own tmpfs, as runc and crun are local: a binary on the 9p share faults
# its pages in over 9p (`csrun --version` took seconds there)
cp /host/out/csrun /run/vmb/csrun
rounds=$(cat /run/vmb/rounds)
unshare --net=/run/vmb/netns true || { echo "vm-guest.sh: cannot make the network namespace"; exit 1; }
declare -A BIN=([csrun]=/run/vmb/csrun [runc]=runc [crun]=crun)
rts=(csrun runc crun)
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
fail=0
# one BUNDLE DRIVER RT ID: wall µs of `run`, or "fail"
one() {
  local flags=(--root "/run/vmb/state-$3")
  [ "$2" = systemd ] && flags+=(--systemd-cgroup)
  local t0=$EPOCHREALTIME
  "${BIN[$3]}" "${flags[@]}" run -b "/run/vmb/$1" "$4" < /dev/null > /run/vmb/out 2>&1 || { cat /run/vmb/out >&2; echo fail; return; }
  local t1=$EPOCHREALTIME
  echo $(( ${t1/./} - ${t0/./} ))
}
echo "guest: $(uname -r), $(nproc) CPUs, $(stat -f -c %T /sys/fs/cgroup), $rounds rounds; $(/run/vmb/csrun --version | head -1), $(runc --version | head -1), $(crun --version | head -1)"
echo
echo "| bundle | driver | csrun, ms | runc, ms | crun, ms | csrun/crun | csrun/runc |"
echo "|---|---|---|---|---|---|---|"
for b in bare real; do
  for d in cgroupfs systemd; do
    # warm-up (page cache; csrun's seccomp cache)
    for rt in "${rts[@]}"; do one $b $d $rt "w$b$d$rt" > /dev/null; done
    for ((r = 0; r < rounds; r++)); do
      for ((i = 0; i < 3; i++)); do
        rt=${rts[$(( (r + i) % 3 ))]}
        us=$(one $b $d $rt "v$b$d$r$rt")
        [ "$us" = fail ] && { fail=1; echo "vm-guest.sh: $rt $b $d failed" >&2; continue; }
        echo "$us" >> "/run/vmb/$b.$d.$rt"
      done
    done
    declare -A M=()
    for rt in "${rts[@]}"; do M[$rt]=$(median < "/run/vmb/$b.$d.$rt" 2>/dev/null); done
    awk -v b=$b -v d=$d -v c="${M[csrun]}" -v r="${M[runc]}" -v n="${M[crun]}" \
      'BEGIN { printf "| %s | %s | %.1f | %.1f | %.1f | %.2f× | %.2f× |\n", b, d, c/1000, r/1000, n/1000, c/n, c/r }'
  done
done
# nothing left: no container state, no scope
for rt in "${rts[@]}"; do
  left=$("${BIN[$rt]}" --root "/run/vmb/state-$rt" list -q 2>/dev/null)
  [ -z "$left" ] || { echo "vm-guest.sh: $rt left containers: $left"; fail=1; }
done
exit $fail
