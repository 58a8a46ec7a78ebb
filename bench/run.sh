#!/usr/bin/env bash
# bench/run.sh [--quick] [--csrun PATH] [--out FILE] [--keep-data DIR]
#
# csrun against runc and crun, in one run, interleaved, on a busybox rootfs with two configs: the
# bare `runc spec` one and the one podman 4.3 generates for `podman run busybox true` (with its
# seccomp profile; spec-fixtures/valid/podman-run-busybox-true.json). See bench/README.md.
#   --quick      a few runs of everything: proves the benchmark works (CI), about a minute
#   --csrun P    the csrun binary to measure (default: out/csrun; build it with ./build.sh)
#   --out F      also write the results (markdown) to F
#   --keep-data D  copy the raw measurements (hyperfine JSON, tsv) to D
# Exit status 0 only if every runtime ran every benchmark and nothing was left behind.
#
# Layout: the outer part checks the tools and makes a temp dir; the inner part (--inner) runs in
# a private mount namespace (unshare -m) where the hybrid layout's cgroup2 mount at
# /sys/fs/cgroup/unified is replaced by an empty tmpfs (crun 1.8 refuses the hybrid layout; csrun
# and runc then see the same plain v1 layout), under subreaper.py, so that the container inits
# that `create` leaves behind are reaped (this machine's PID 1 reaps nothing).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
PY=/usr/bin/python3

if [ "${1:-}" != "--inner" ]; then
  mode=full csrun="$repo/out/csrun" out="" keep=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) mode=quick ;;
      --csrun) csrun=$2; shift ;;
      --csrun=*) csrun=${1#*=} ;;
      --out) out=$2; shift ;;
      --out=*) out=${1#*=} ;;
      --keep-data) keep=$2; shift ;;
      --keep-data=*) keep=${1#*=} ;;
      -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) echo "run.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
  done
  fail() { echo "run.sh: $*" >&2; exit 1; }
  [ "$(id -u)" = 0 ] || fail "must run as root (containers need it)"
  for t in hyperfine runc crun unshare readelf mountpoint "$PY" /usr/bin/time; do
    command -v "$t" >/dev/null || fail "missing $t (apt-get install hyperfine runc crun util-linux binutils python3 time)"
  done
  [ -x "$csrun" ] || fail "no csrun binary at $csrun: build it with ./build.sh, or pass --csrun PATH"
  busybox=$(command -v busybox || true)
  [ -n "$busybox" ] && ! readelf -d "$busybox" 2>/dev/null | grep -q NEEDED \
    || fail "need a static busybox (apt-get install busybox-static)"
  csrun=$(readlink -f "$csrun")
  [ -n "$out" ] && out=$(readlink -f "$out")
  [ -n "$keep" ] && keep=$(readlink -f "$keep")
  tmp=$(mktemp -d /tmp/csrun-bench.XXXXXX)
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  rc=0
  unshare -m --propagation private "$PY" "$here/subreaper.py" \
    bash "$here/run.sh" --inner "$tmp" "$mode" "$csrun" "$busybox" "$out" "$keep" || rc=$?
  [ $rc = 0 ] || echo "run.sh: FAILED (exit $rc)" >&2
  exit $rc
fi

# ---------------------------------------------------------------- inner: private mount namespace
shift
tmp=$1 mode=$2 csrun=$3 busybox=$4 out=$5 keep=$6
RTS=(csrun runc crun)
declare -A BIN=([csrun]=$csrun [runc]=$(command -v runc) [crun]=$(command -v crun))
prefix="csrb$$"   # every container id, hence every cgroup directory, starts with this
state="$tmp/state" # the runtimes' --root dirs, on a tmpfs as /run is on most hosts
log() { printf '%s\n' "$*" >&2; }

cleanup() {
  local rc=$? rt id left=0
  set +e
  for rt in "${RTS[@]}"; do
    for id in $("${BIN[$rt]}" --root "$state/$rt" list -q 2>/dev/null); do
      "${BIN[$rt]}" --root "$state/$rt" delete -f "$id" >/dev/null 2>&1 \
        || log "cleanup: $rt delete -f $id failed"
    done
  done
  # Cgroups are not namespaced by the mount namespace: remove any the runtimes left behind.
  for d in $(find /sys/fs/cgroup/ -mindepth 2 -maxdepth 6 -type d -name "$prefix-*" 2>/dev/null | sort -r); do
    case "$(stat -f -c %T "$d")" in
      cgroupfs|cgroup2fs)
        if rmdir "$d" 2>/dev/null; then log "cleanup: removed a cgroup a runtime left behind: $d"
        else log "cleanup: cannot remove cgroup $d"; left=1; fi ;;
    esac
  done
  # csrun's compiled seccomp filters (~seccomp-cache) are a cache, not a container's state.
  for rt in "${RTS[@]}"; do
    if [ -n "$(ls -A "$state/$rt" 2>/dev/null | grep -vx '~seccomp-cache')" ]; then log "cleanup: $rt left state in its --root"; left=1; fi
  done
  mountpoint -q "$state" && umount "$state"
  [ -e "$tmp/netns" ] && umount "$tmp/netns" 2>/dev/null
  if grep -q " $tmp" /proc/self/mountinfo; then log "cleanup: mounts left under $tmp"; left=1; fi
  [ $rc = 0 ] && [ $left = 1 ] && rc=1
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# crun 1.8 refuses the hybrid layout: hide the cgroup2 mount behind an empty private tmpfs (crun
# writes cgroup.procs files there; they vanish with this namespace).
if mountpoint -q /sys/fs/cgroup/unified && [ "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs ]; then
  umount /sys/fs/cgroup/unified
  mount -t tmpfs -o size=1m,mode=0755 csrun-bench /sys/fs/cgroup/unified
fi

# ---------------------------------------------------------------- sizes
if [ "$mode" = quick ]; then
  N_RUN=3 N_CSD=3 N_SEQ=1 SEQ=10 N_PAR=1 PAR=12 N_RSS=2 N_EXEC=2
else
  N_RUN=60 N_CSD=40 N_SEQ=5 SEQ=100 N_PAR=5 PAR=50 N_RSS=20 N_EXEC=30
fi
PARJ=4

# ---------------------------------------------------------------- bundles
# One busybox rootfs, named by absolute path in both bundles; the config is `runc spec` (csrun spec writes the same bytes) with no
# terminal and a command. Bundle "true" runs /bin/true; "stamp" runs busybox adjtimex, which
# prints the wall clock in microseconds (adjtimex(2) with modes 0: no privilege needed).
mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/proc" "$tmp/rootfs/sys" "$tmp/rootfs/dev" "$tmp/rootfs/etc" \
         "$tmp/rootfs/tmp" "$tmp/bin" "$tmp/data" "$tmp/run"
cp "$busybox" "$tmp/rootfs/bin/busybox"
for a in sh true adjtimex cat sleep; do ln -s busybox "$tmp/rootfs/bin/$a"; done
echo "root:x:0:0:root:/:/bin/sh" > "$tmp/rootfs/etc/passwd"
for b in true stamp; do
  mkdir -p "$tmp/$b"
  (cd "$tmp/$b" && runc spec)
done
"$PY" - "$tmp" <<'EOF'
import json, sys
tmp = sys.argv[1]
for b, args in (("true", ["/bin/true"]), ("stamp", ["/bin/adjtimex"])):
    p = f"{tmp}/{b}/config.json"
    c = json.load(open(p))
    c["process"]["terminal"] = False
    c["process"]["args"] = args
    c["root"]["path"] = f"{tmp}/rootfs"  # both bundles share one rootfs (runc refuses a symlink)
    json.dump(c, open(p, "w"), indent=2)
EOF
# The realistic bundle: podman's config for `podman run busybox true`, made to run here (see
# bench/real-bundle.py): podman's network namespace is one made here and bound to $tmp/netns,
# which every container joins (podman makes it before calling the runtime, which only joins it).
mkdir -p "$tmp/rootfs/run"
: > "$tmp/netns"
unshare --net="$tmp/netns" true
for b in real real-nosec; do
  "$PY" "$here/real-bundle.py" "$repo/spec-fixtures/valid/podman-run-busybox-true.json" \
    "$tmp/$b" "$tmp/rootfs" "$tmp/netns" $([ $b = real ] || echo --no-seccomp)
done
# The state dirs on a tmpfs, as /run is on most hosts (here /run is on the root ext4 file
# system, whose inode allocation after many deletions costs every runtime a few ms per create).
mkdir -p "$state"
mount -t tmpfs -o size=64m,mode=0700 csrun-bench-state "$state"
for rt in "${RTS[@]}"; do mkdir -p "$state/$rt"; done

# Helper scripts, one per runtime and action, so hyperfine runs them without a shell (-N).
for b in c s; do printf '#!/bin/bash\n' > "$tmp/bin/clean-$b"; done
for rt in "${RTS[@]}"; do
  rc_="${BIN[$rt]} --root $state/$rt"
  id="$prefix-$rt"
  cat > "$tmp/bin/prep-create-$rt" <<EOF
#!/bin/bash
$rc_ delete -f $id-c >/dev/null 2>&1; exit 0
EOF
  # prep-start and prep-delete take the bundle as their argument.
  cat > "$tmp/bin/prep-start-$rt" <<EOF
#!/bin/bash
$rc_ delete -f $id-s >/dev/null 2>&1
exec $rc_ create --bundle \$1 $id-s
EOF
  # hyperfine takes one --cleanup for all commands: these scripts clean up after every runtime.
  for b in c s; do echo "$rc_ delete -f $id-$b >/dev/null 2>&1" >> "$tmp/bin/clean-$b"; done
  # delete: of a container that has run and stopped, as after `run`'s wait.
  cat > "$tmp/bin/prep-delete-$rt" <<EOF
#!/bin/bash
$rc_ delete -f $id-d >/dev/null 2>&1
$rc_ create --bundle \$1 $id-d && $rc_ start $id-d || exit 1
for i in \$(seq 500); do
  $rc_ state $id-d 2>/dev/null | grep -q '"stopped"' && exit 0
  sleep 0.005
done
echo "$rt: $id-d did not stop" >&2; exit 1
EOF
  cat > "$tmp/bin/seq-$rt" <<EOF
#!/bin/bash
for i in \$(seq $SEQ); do $rc_ run --bundle $tmp/true $id-q || exit 1; done
EOF
  cat > "$tmp/bin/par-$rt" <<EOF
#!/bin/bash
seq $PAR | xargs -P $PARJ -I{} $rc_ run --bundle $tmp/true $id-p{}
EOF
  # The wall clock (bash's EPOCHREALTIME, microseconds) just before the runtime's execve.
  cat > "$tmp/bin/stamp-run-$rt" <<EOF
#!/bin/bash
t0=\$EPOCHREALTIME; echo "t0 \$t0"; exec $rc_ run --bundle $tmp/stamp $id-x
EOF
  cat > "$tmp/bin/stamp-start-$rt" <<EOF
#!/bin/bash
t0=\$EPOCHREALTIME; echo "t0 \$t0" >&2; exec $rc_ start $id-y
EOF
done
for b in c s; do echo "exit 0" >> "$tmp/bin/clean-$b"; done
chmod +x "$tmp/bin/"*

# ---------------------------------------------------------------- smoke test, warm caches
log "== smoke test: run, create, start, delete with each runtime"
for rt in "${RTS[@]}"; do
  r="${BIN[$rt]} --root $state/$rt"
  $r run --bundle "$tmp/true" "$prefix-$rt-w" || { log "$rt run failed"; exit 1; }
  "$tmp/bin/prep-delete-$rt" "$tmp/true" || { log "$rt create/start/state failed"; exit 1; }
  $r delete "$prefix-$rt-d" || { log "$rt delete failed"; exit 1; }
  $r run --bundle "$tmp/real" "$prefix-$rt-w" || { log "$rt run of the realistic bundle failed"; exit 1; }
done

# Round r runs the runtimes in a rotated order: csrun runc crun, runc crun csrun, crun csrun runc...
order() { local r=$1 i; for i in 0 1 2; do printf '%s ' "${RTS[$(( (r + i) % 3 ))]}"; done; }

# hf NAME ROUNDS CMD-TEMPLATE [PREP-TEMPLATE [CLEANUP]]: ROUNDS hyperfine invocations of one run
# per runtime each (so A B C B C A C A B ...); templates use @RT@, @R@ (runtime + --root).
hf() {
  local name=$1 rounds=$2 cmd=$3 prep=${4:-} clean=${5:-} r rt args
  log "== $name: $rounds runs per runtime, interleaved"
  for ((r = 0; r < rounds; r++)); do
    args=()
    if [ -n "$clean" ]; then args+=(--cleanup "$clean"); fi
    for rt in $(order "$r"); do
      local R="${BIN[$rt]} --root $state/$rt"
      local c=${cmd//@RT@/$rt}; c=${c//@R@/$R}
      if [ -n "$prep" ]; then local p=${prep//@RT@/$rt}; args+=(--prepare "${p//@R@/$R}"); fi
      args+=(-n "$rt" "$c")
    done
    hyperfine -N --style none --runs 1 --export-json "$tmp/data/$name.$r.json" "${args[@]}" >/dev/null \
      || { log "$name: hyperfine failed in round $r"; exit 1; }
  done
}

# bundle_benches BUNDLE PREFIX: run, create, start and delete of one bundle.
bundle_benches() {
  local b=$1 p=$2
  hf "${p}run" "$N_RUN" "@R@ run --bundle $b $prefix-@RT@-r"
  hf "${p}create" "$N_CSD" "@R@ create --bundle $b $prefix-@RT@-c" "$tmp/bin/prep-create-@RT@" "$tmp/bin/clean-c"
  hf "${p}start" "$N_CSD" "@R@ start $prefix-@RT@-s" "$tmp/bin/prep-start-@RT@ $b" "$tmp/bin/clean-s"
  hf "${p}delete" "$N_CSD" "@R@ delete $prefix-@RT@-d" "$tmp/bin/prep-delete-@RT@ $b"
}
bundle_benches "$tmp/true" ""
bundle_benches "$tmp/real" "real-"
# The same without linux.seccomp: create's difference is what the profile costs each runtime.
hf real-nosec-create "$N_CSD" "@R@ create --bundle $tmp/real-nosec $prefix-@RT@-c" "$tmp/bin/prep-create-@RT@" "$tmp/bin/clean-c"
hf "seq$SEQ" "$N_SEQ" "$tmp/bin/seq-@RT@"
hf "par${PAR}x$PARJ" "$N_PAR" "$tmp/bin/par-@RT@"

# ---------------------------------------------------------------- memory
# Peak RSS of `create`: /usr/bin/time's %M, the ru_maxrss that wait4 reports for the runtime
# process (it includes helpers the runtime itself waited for, such as runc's intermediate
# `runc init` stages, not the container init, which outlives it). Then the container init, waiting
# in the created state: VmRSS and VmHWM from /proc/PID/status and Pss from smaps_rollup.
log "== memory: $N_RSS creates per runtime and bundle, interleaved"
for f in rss rss-real; do
  printf 'rt\tcreate_maxrss_kb\tinit_vmrss_kb\tinit_vmhwm_kb\tinit_pss_kb\n' > "$tmp/data/$f.tsv"
done
for ((r = 0; r < 2 * N_RSS; r++)); do
  b=true f=rss
  if (( r % 2 )); then b=real f=rss-real; fi
  for rt in $(order "$r"); do
    R="${BIN[$rt]} --root $state/$rt"; id="$prefix-$rt-m"
    /usr/bin/time -f %M -o "$tmp/run/maxrss" $R create --bundle "$tmp/$b" --pid-file "$tmp/run/pid" "$id"
    pid=$(cat "$tmp/run/pid")
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
    printf '%s\t%s\t%s\t%s\t%s\n' "$rt" "$(tail -1 "$tmp/run/maxrss")" "$rss" "$hwm" "$pss" >> "$tmp/data/$f.tsv"
    $R delete -f "$id"
  done
done

# ---------------------------------------------------------------- time to the container's execve
# The wall clock is read just before the runtime's execve (bash's EPOCHREALTIME) and again by the
# container's process, busybox adjtimex, right after its own execve. The difference is the
# runtime's whole start-up and set-up, plus the execve and start of a static busybox in the
# container (the same for every runtime; "host baseline" below measures it without a runtime).
stamp() { # file with "t0 S.US" and adjtimex's output -> microseconds
  awk '/^t0 / {split($2, a, "."); t0 = a[1] * 1000000 + a[2]}
       /time.tv_sec:/ {s = $2} /time.tv_usec:/ {us = $2}
       END {if (t0 == "" || s == "") exit 1; print s * 1000000 + us - t0}' "$@"
}
log "== time to the container's execve: $N_EXEC runs and starts per runtime, interleaved"
printf 'rt\tkind\tus\n' > "$tmp/data/exec.tsv"
for ((r = 0; r < N_EXEC; r++)); do
  ( t0=$EPOCHREALTIME; echo "t0 $t0"; exec "$tmp/rootfs/bin/adjtimex" ) > "$tmp/run/o" 2>/dev/null || true
  printf 'host\tbaseline\t%s\n' "$(stamp "$tmp/run/o")" >> "$tmp/data/exec.tsv"
  for rt in $(order "$r"); do
    R="${BIN[$rt]} --root $state/$rt"
    "$tmp/bin/stamp-run-$rt" > "$tmp/run/o" || { log "$rt: stamp run failed"; exit 1; }
    printf '%s\trun\t%s\n' "$rt" "$(stamp "$tmp/run/o")" >> "$tmp/data/exec.tsv"
    # start: the container's stdout is the file create's stdout was (O_APPEND, as is t0's line).
    : > "$tmp/run/o"
    $R create --bundle "$tmp/stamp" "$prefix-$rt-y" >> "$tmp/run/o"
    "$tmp/bin/stamp-start-$rt" 2>> "$tmp/run/o" || { log "$rt: stamp start failed"; exit 1; }
    for i in $(seq 400); do grep -q tv_usec "$tmp/run/o" && break; sleep 0.005; done
    printf '%s\tstart\t%s\n' "$rt" "$(stamp "$tmp/run/o")" >> "$tmp/data/exec.tsv"
    for i in $(seq 400); do $R state "$prefix-$rt-y" 2>/dev/null | grep -q '"stopped"' && break; sleep 0.005; done
    $R delete -f "$prefix-$rt-y"
  done
done

# ---------------------------------------------------------------- binaries
printf 'rt\tpath\tbytes\tneeded\n' > "$tmp/data/bin.tsv"
for rt in "${RTS[@]}"; do
  b=$(readlink -f "${BIN[$rt]}")
  needed=$(readelf -d "$b" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd ' ' -)
  printf '%s\t%s\t%s\t%s\n' "$rt" "$b" "$(stat -c %s "$b")" "${needed:-none (static)}" >> "$tmp/data/bin.tsv"
done
{
  printf 'mode\t%s\nkernel\t%s\ncpu\t%s\ncores\t%s\ndate\t%s\n' "$mode" "$(uname -r)" \
    "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf 'versions\t%s; %s; %s\n' "$("${BIN[csrun]}" --version | head -1)" \
    "$(runc --version | head -1)" "$(crun --version | head -1)"
} > "$tmp/data/machine.tsv"

if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$tmp/data/." "$keep/"; fi
"$PY" "$(dirname "$0")/report.py" "$tmp/data" ${out:+--out "$out"}
