#!/bin/bash
# cgroup-v2.sh - runs INSIDE the test VM (tests/vm/run.sh boots it; the repo is at /host).
# csrun on a cgroup v2 host with systemd as PID 1, with the cgroupfs driver and with
# --systemd-cgroup: the container starts; its limits read back from its cgroup files (and the
# scope's unit properties); the eBPF device program lets /dev/null through and refuses
# /dev/kmsg; freezing shows as "paused"; update and pause/resume when csrun has them; delete
# removes the cgroup (and the scope); a rootless container in a delegated subtree. Prints PASS/FAIL/SKIP lines and a summary line; exits 1
# if anything failed.
set -u
# csrun from the guest's tmpfs, not the 9p share: over 9p every page fault of the binary is a
# round trip to the host (`csrun --version` took seconds in the emulated guest, 0.2 s from tmpfs)
if [ -z "${CSRUN:-}" ]; then
  mkdir -p /run/csrun-vm-bin && cp /host/out/csrun /run/csrun-vm-bin/csrun && chmod 755 /run/csrun-vm-bin /run/csrun-vm-bin/csrun
  CSRUN=/run/csrun-vm-bin/csrun
fi
export CSRUN
ROOT=/run/csrun-vm
W=/tmp/csrun-vm
passes=0 fails=0 skips=0
t0=$(date +%s)
pass() { echo "PASS: $*"; passes=$((passes + 1)); }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; skips=$((skips + 1)); }
check() { # check DESC EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi
}
csrun() { "$CSRUN" --root "$ROOT" "$@"; }
has_command() { csrun "$1" --help >/dev/null 2>&1; }
# wait_for SECONDS CMD...: until CMD succeeds (polling every 0.2 s)
wait_for() {
  local n=$(($1 * 5)); shift
  while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done
  return 1
}

echo "== host"
check "cgroup2 at /sys/fs/cgroup" cgroup2fs "$(stat -fc %T /sys/fs/cgroup)"
check "systemd is PID 1" systemd "$(cat /proc/1/comm)"
[ -x "$CSRUN" ] || { fail "$CSRUN missing (build it on the host: ./build.sh)"; echo "cgroup-v2: $passes passed, $fails failed"; exit 1; }
echo "csrun: $("$CSRUN" --version | head -1); kernel $(uname -r); $(systemctl --version | head -1)"
# A root shell outside any container may write /dev/kmsg: the refusal inside is the cgroup's doing.
( echo "csrun-vm: kmsg control write" > /dev/kmsg ) 2>/dev/null && pass "control: /dev/kmsg writable outside containers" \
  || fail "control: /dev/kmsg not writable outside containers"

echo "== bundle"
rm -rf "$W"; mkdir -p "$W/rootfs/bin" "$W/rootfs/proc" "$W/rootfs/sys" "$W/rootfs/dev" "$W/rootfs/tmp"
cp /bin/busybox "$W/rootfs/bin/busybox"
for a in sh echo cat sleep; do ln -s busybox "$W/rootfs/bin/$a"; done
(cd "$W" && "$CSRUN" spec) || fail "csrun spec"
# The init reports what it can open, then sleeps; its output goes to the create's stdout.
# With a cgroup namespace the container sees its own cgroup as the root, limits included.
probe='echo null:$( (echo x >/dev/null) 2>&1 && echo ok); echo kmsg:$( (echo csrun-vm >/dev/kmsg) 2>&1 && echo ok)
echo self:$(cat /proc/self/cgroup); echo inside-memory.max:$(cat /sys/fs/cgroup/memory.max); echo ready; exec sleep 600'
jq --arg probe "$probe" --arg rootfs "$W/rootfs" '.process.terminal=false | .process.args=["sh","-c",$probe]
  | .root.path=$rootfs
  | .linux.resources.memory.limit=67108864
  | .linux.resources.cpu={"shares":512,"quota":50000,"period":100000}
  | .linux.resources.pids.limit=64
  | .linux.namespaces+=[{"type":"cgroup"}]
  | .linux.devices=[{"path":"/dev/kmsg","type":"c","major":1,"minor":11,"fileMode":438,"uid":0,"gid":0}]' \
  "$W/config.json" > "$W/c.json" && mv "$W/c.json" "$W/config.json"

# driver_test DRIVER: one container's life with that cgroup driver.
driver_test() {
  local drv=$1 id="vm-$1" b="$W/$1" flags=() want_cg unit=""
  if [ "$drv" = systemd ]; then
    flags=(--systemd-cgroup); unit="csrun-$id.scope"; want_cg="/system.slice/$unit"   # no cgroupsPath: system.slice:csrun:ID
  else
    want_cg="/csrun-vm/$id"; flags=(--debug --log "$b/debug.log")
  fi
  mkdir -p "$b"
  if [ "$drv" = systemd ]; then cp "$W/config.json" "$b/config.json"
  else jq --arg p "$want_cg" '.linux.cgroupsPath=$p' "$W/config.json" > "$b/config.json"; fi

  echo "== $drv driver"
  # A create that fails after the init joined its cgroup (unit started) leaves nothing behind.
  if CSRUN_TEST_FAIL_AT=ready csrun "${flags[@]}" create --bundle "$b" "$id" > "$b/fail.log" 2>&1 </dev/null; then
    fail "$drv: injected failure did not fail create"; csrun delete --force "$id"
  else
    grep -q "injected failure at ready" "$b/fail.log" && pass "$drv: create fails at the injected step" \
      || fail "$drv: create failed otherwise: $(cat "$b/fail.log")"
    [ -d "/sys/fs/cgroup$want_cg" ] && fail "$drv: failed create left $want_cg" || pass "$drv: failed create removed its cgroup"
    [ -n "$unit" ] && check "$drv: failed create left no unit" "" "$(systemctl list-units --all --no-legend "$unit")"
  fi
  local s; s=$(date +%s.%N)
  if ! csrun "${flags[@]}" create --bundle "$b" "$id" > "$b/out.log" 2>&1 </dev/null; then
    fail "$drv: create"; sed 's/^/   /' "$b/out.log"; return
  fi
  csrun start "$id" || { fail "$drv: start"; csrun delete --force "$id"; return; }
  echo "   create+start took $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $s}")s"
  check "$drv: status" running "$(csrun state "$id" | jq -r .status)"
  local pid; pid=$(csrun state "$id" | jq -r .pid)
  wait_for 20 grep -q ready "$b/out.log" || fail "$drv: the init did not report"
  sed 's/^/   init: /' "$b/out.log"

  local cg; cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
  check "$drv: init's cgroup" "$want_cg" "$cg"
  if [ "$drv" != systemd ]; then
    grep -q "cloned $pid into cgroup /sys/fs/cgroup$want_cg" "$b/debug.log" \
      && pass "$drv: the init was born in its cgroup (clone3 CLONE_INTO_CGROUP, no cgroup.procs write)" \
      || fail "$drv: the init was not cloned into its cgroup: $(grep -i 'into cgroup' "$b/debug.log")"
  fi
  local d="/sys/fs/cgroup$cg"
  check "$drv: memory.max" 67108864 "$(cat "$d/memory.max")"
  check "$drv: cpu.max" "50000 100000" "$(cat "$d/cpu.max")"
  check "$drv: cpu.weight (shares 512)" 59 "$(cat "$d/cpu.weight")"
  check "$drv: pids.max" 64 "$(cat "$d/pids.max")"
  check "$drv: cgroup namespace rooted at the container's cgroup" "self:0::/" "$(grep '^self:' "$b/out.log")"
  check "$drv: memory.max seen inside" "inside-memory.max:67108864" "$(grep '^inside-memory.max:' "$b/out.log")"
  check "$drv: device program lets /dev/null through" "null:ok" "$(grep '^null:' "$b/out.log")"
  grep -q '^kmsg:.*Operation not permitted' "$b/out.log" && pass "$drv: device program refuses /dev/kmsg (EPERM)" \
    || fail "$drv: /dev/kmsg not refused: $(grep '^kmsg:' "$b/out.log")"

  if [ -n "$unit" ]; then
    check "$drv: $unit active" active "$(systemctl is-active "$unit")"
    check "$drv: unit properties" "Slice=system.slice Delegate=yes MemoryMax=67108864 TasksMax=64 CPUWeight=59 CPUQuotaPerSecUSec=500ms DevicePolicy=strict" \
      "$(for p in Slice Delegate MemoryMax TasksMax CPUWeight CPUQuotaPerSecUSec DevicePolicy; do printf '%s=%s ' $p "$(systemctl show -P $p "$unit")"; done | sed 's/ $//')"
  fi

  if has_command update; then
    csrun update --memory 33554432 --pids-limit 32 "$id" || fail "$drv: update"
    check "$drv: memory.max after update" 33554432 "$(cat "$d/memory.max")"
    check "$drv: pids.max after update" 32 "$(cat "$d/pids.max")"
    [ -n "$unit" ] && check "$drv: MemoryMax after update" 33554432 "$(systemctl show -P MemoryMax "$unit")"
  else
    skip "$drv: csrun has no update command"
  fi

  if has_command pause; then
    csrun pause "$id" || fail "$drv: pause"
    check "$drv: status after pause" paused "$(csrun state "$id" | jq -r .status)"
    check "$drv: cgroup.events after pause" "frozen 1" "$(grep frozen "$d/cgroup.events")"
    csrun resume "$id" || fail "$drv: resume"
  else
    # No pause command yet: freeze through the cgroup file, as the manager does, and see state follow.
    echo 1 > "$d/cgroup.freeze"
    wait_for 10 grep -q 'frozen 1' "$d/cgroup.events" && pass "$drv: cgroup.freeze froze the container" || fail "$drv: not frozen"
    check "$drv: status while frozen" paused "$(csrun state "$id" | jq -r .status)"
    echo 0 > "$d/cgroup.freeze"
  fi
  check "$drv: status after thaw" running "$(csrun state "$id" | jq -r .status)"

  s=$(date +%s.%N)
  csrun kill "$id" KILL || fail "$drv: kill"
  wait_for 10 sh -c "[ \"\$($CSRUN --root $ROOT state $id | jq -r .status)\" = stopped ]" || fail "$drv: not stopped after SIGKILL"
  csrun delete "$id" || fail "$drv: delete"
  echo "   kill+delete took $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $s}")s"
  [ -d "$d" ] && fail "$drv: cgroup $cg left behind" || pass "$drv: cgroup removed"
  if [ -n "$unit" ]; then
    check "$drv: $unit after delete" inactive "$(systemctl is-active "$unit")"
    check "$drv: $unit unloaded" "" "$(systemctl list-units --all --no-legend "$unit")"
  fi
  csrun state "$id" >/dev/null 2>&1 && fail "$drv: state still there after delete" || pass "$drv: state removed"

  # run: create, start, wait, delete in one command; its exit status is the container's.
  local rb="$W/$drv-run" rid="$id-run"
  mkdir -p "$rb"
  jq '.process.args=["sh","-c","grep -q 67108864 /sys/fs/cgroup/memory.max && exit 3"]' "$b/config.json" > "$rb/config.json"
  csrun "${flags[@]}" run --bundle "$rb" "$rid" </dev/null; local rc=$?
  check "$drv: run exits with the container's status" 3 "$rc"
  local run_cg=$want_cg   # cgroupfs: the same cgroupsPath, free again after the delete
  [ "$drv" = systemd ] && run_cg="/system.slice/csrun-$rid.scope"
  [ -d "/sys/fs/cgroup$run_cg" ] && fail "$drv: run left $run_cg" || pass "$drv: run removed its cgroup"
  [ "$drv" = systemd ] && check "$drv: run left no unit" "" "$(systemctl list-units --all --no-legend "csrun-$rid.scope")"
}

# rootless_test: csrun run by a non-root user (spec --rootless) in a delegated subtree, as
# systemd's Delegate=yes hands one out: the user owns the directory, its cgroup.procs and
# cgroup.subtree_control; csrun starts in a leaf below it and makes the container's cgroup beside.
rootless_test() {
  echo "== rootless (cgroupfs driver, a delegated subtree)"
  local user=csrunvmrl id=vm-rootless b="$W/rootless" xdg="$W/rootless-run" D=/sys/fs/cgroup/csrun-vm-rl
  if ! useradd -M -d /nonexistent -s /bin/sh "$user"; then skip "rootless: useradd failed"; return; fi
  local uid gid; uid=$(id -u "$user"); gid=$(id -g "$user")
  mkdir -p "$b" "$xdg" "$D/csrun"; chmod 755 "$W"; chown "$uid:$gid" "$b" "$xdg"; chmod 700 "$xdg"
  chown "$uid:$gid" "$D" "$D/cgroup.procs" "$D/cgroup.subtree_control" "$D/csrun" "$D/csrun/cgroup.procs"
  as() { setpriv --reuid="$uid" --regid="$gid" --init-groups env XDG_RUNTIME_DIR="$xdg" HOME=/ USER="$user" "$@"; }
  (cd "$b" && as "$CSRUN" spec --rootless) || fail "rootless: spec --rootless"
  jq --arg rootfs "$W/rootfs" '.process.terminal=false | .process.args=["sleep","600"] | .root.path=$rootfs
    | .linux.resources.memory.limit=67108864 | .linux.resources.pids.limit=64' "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
  if sh -c 'echo $$ > "$0/csrun/cgroup.procs" && exec "$@"' "$D" setpriv --reuid="$uid" --regid="$gid" --init-groups \
      env XDG_RUNTIME_DIR="$xdg" HOME=/ USER="$user" "$CSRUN" run -d --bundle "$b" "$id" > "$b/out.log" 2>&1 </dev/null; then
    pass "rootless: run -d as $user"
    local pid; pid=$(as "$CSRUN" state "$id" | jq -r .pid)
    check "rootless: init's cgroup (beside csrun's, in the delegated subtree)" "/csrun-vm-rl/$id" "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
    check "rootless: memory.max" 67108864 "$(cat "$D/$id/memory.max")"
    check "rootless: pids.max" 64 "$(cat "$D/$id/pids.max")"
    check "rootless: state under \$XDG_RUNTIME_DIR/csrun" yes "$([ -f "$xdg/csrun/$id/state.json" ] && echo yes)"
    as "$CSRUN" pause "$id" || fail "rootless: pause"
    check "rootless: status after pause" paused "$(as "$CSRUN" state "$id" | jq -r .status)"
    as "$CSRUN" resume "$id" || fail "rootless: resume"
    as "$CSRUN" kill "$id" KILL || fail "rootless: kill"
    wait_for 10 sh -c "[ \"\$(setpriv --reuid=$uid --regid=$gid --init-groups env XDG_RUNTIME_DIR=$xdg $CSRUN state $id | jq -r .status)\" = stopped ]" \
      || fail "rootless: not stopped after SIGKILL"
    as "$CSRUN" delete "$id" || fail "rootless: delete"
    [ -d "$D/$id" ] && fail "rootless: cgroup left behind" || pass "rootless: cgroup removed"
    check "rootless: no state left" "" "$(ls "$xdg/csrun" 2>/dev/null)"
  else
    fail "rootless: run -d: $(cat "$b/out.log")"
  fi
  as "$CSRUN" delete --force "$id" 2>/dev/null
  rmdir "$D/$id" "$D/csrun" "$D" 2>/dev/null
  userdel "$user"
}

# rootless_systemd_test: --systemd-cgroup run by a non-root user, through that user's own
# systemd (systemd --user, started by lingering): the scope is a unit of the user manager, in
# its user.slice, below user@UID.service. The image has no dbus-user-session, so csrun talks
# to the manager's private socket; runc 1.1.5 (user bus only) is run on the same bundle to compare.
# Then as root in a user namespace (unshare -Ur: rootless podman runs its runtime so).
rootless_systemd_test() {
  echo "== rootless (systemd driver, the user's systemd --user)"
  local user=csrunvmsd id=vm-rootless-sd b="$W/rootless-sd" home="$W/rootless-sd-home"
  if ! useradd -m -d "$home" -s /bin/sh "$user"; then skip "rootless systemd: useradd failed"; return; fi
  local uid gid; uid=$(id -u "$user"); gid=$(id -g "$user")
  local xdg=/run/user/$uid unit=csrun-$id.scope
  local mgr=/user.slice/user-$uid.slice/user@$uid.service
  local cg=$mgr/user.slice/csrun-$id.scope
  as() { setpriv --reuid="$uid" --regid="$gid" --init-groups env XDG_RUNTIME_DIR="$xdg" HOME="$home" USER="$user" "$@"; }
  # The image has no libpam-systemd, whose pam_systemd gives the user manager its runtime dir.
  local dropin=/run/systemd/system/user@.service.d
  mkdir -p "$dropin"; printf '[Service]\nEnvironment=XDG_RUNTIME_DIR=/run/user/%%i\n' > "$dropin/csrun-vm.conf"
  systemctl daemon-reload
  loginctl enable-linger "$user"
  if ! wait_for 60 test -S "$xdg/systemd/private"; then
    fail "rootless systemd: user@$uid.service did not start: $(systemctl status "user@$uid.service" 2>&1 | tail -5)"
  else
    pass "rootless systemd: user@$uid.service up"
    mkdir -p "$b"; chmod 755 "$W"; chown "$uid:$gid" "$b"
    (cd "$b" && as "$CSRUN" spec --rootless) || fail "rootless systemd: spec --rootless"
    jq --arg rootfs "$W/rootfs" '.process.terminal=false | .process.args=["sleep","600"] | .root.path=$rootfs
      | .linux.resources.memory.limit=67108864 | .linux.resources.pids.limit=64
      | .linux.resources.cpu={"quota":50000,"period":100000}' "$b/config.json" > "$b/c.json" && mv "$b/c.json" "$b/config.json"
    as systemctl --user log-level debug
    if as "$CSRUN" --systemd-cgroup run -d --bundle "$b" "$id" > "$b/out.log" 2>&1 </dev/null; then
      pass "rootless systemd: run -d as $user"
      local pid; pid=$(as "$CSRUN" state "$id" | jq -r .pid)
      check "rootless systemd: init's cgroup" "$cg" "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")"
      check "rootless systemd: unit active in the user manager" active "$(as systemctl --user show -p ActiveState --value "$unit")"
      check "rootless systemd: unit delegated" yes "$(as systemctl --user show -p Delegate --value "$unit")"
      check "rootless systemd: the system manager has no such unit" "" "$(systemctl list-units --all --no-legend "$unit")"
      check "rootless systemd: memory.max" 67108864 "$(cat "/sys/fs/cgroup$cg/memory.max")"
      check "rootless systemd: pids.max" 64 "$(cat "/sys/fs/cgroup$cg/pids.max")"
      # What the manager delegates (memory pids, cpu too on this systemd), once it is set up.
      local delegated; delegated=$(cat "/sys/fs/cgroup$mgr/cgroup.subtree_control")
      echo "   user@$uid.service delegates: $delegated"
      case " $delegated " in
        *" cpu "*) check "rootless systemd: cpu.max" "50000 100000" "$(cat "/sys/fs/cgroup$cg/cpu.max")" ;;
      esac
      check "rootless systemd: MemoryMax of the unit" 67108864 "$(as systemctl --user show -p MemoryMax --value "$unit")"
      as "$CSRUN" pause "$id" || fail "rootless systemd: pause"
      check "rootless systemd: status after pause" paused "$(as "$CSRUN" state "$id" | jq -r .status)"
      as "$CSRUN" resume "$id" || fail "rootless systemd: resume"
      check "rootless systemd: status after resume" running "$(as "$CSRUN" state "$id" | jq -r .status)"
      as "$CSRUN" kill "$id" KILL || fail "rootless systemd: kill"
      wait_for 10 sh -c "[ \"\$(setpriv --reuid=$uid --regid=$gid --init-groups env XDG_RUNTIME_DIR=$xdg $CSRUN state $id | jq -r .status)\" = stopped ]" \
        || fail "rootless systemd: not stopped after SIGKILL"
      as "$CSRUN" delete "$id" || fail "rootless systemd: delete"
      [ -d "/sys/fs/cgroup$cg" ] && fail "rootless systemd: cgroup left behind" || pass "rootless systemd: cgroup removed"
      check "rootless systemd: no unit left" "" "$(as systemctl --user list-units --all --no-legend "$unit")"
    else
      fail "rootless systemd: run -d: $(cat "$b/out.log")"
      echo "   systemctl --user over the same socket: $(as timeout 20 systemctl --user show -p ControlGroup --value 2>&1)"
      journalctl -q --no-pager _UID="$uid" -o cat 2>&1 | grep -v Registering | grep -A12 "Accepted new private" | head -30 | sed 's/^/   user manager: /'
    fi
    as "$CSRUN" delete --force "$id" 2>/dev/null
    # runc on the same bundle: it only knows the user bus ($XDG_RUNTIME_DIR/bus, dbus-user-session).
    if as runc --systemd-cgroup run -d --bundle "$b" "$id" > "$b/runc.log" 2>&1 </dev/null; then
      echo "runc: run -d worked: $(sed -n 's/^0:://p' "/proc/$(as runc state "$id" | jq -r .pid)/cgroup")"
      as runc delete --force "$id"
    else
      echo "runc: run -d failed: $(tail -1 "$b/runc.log")"
    fi
    # Root in a user namespace mapping the user (csrun authenticates as the uid outside); the
    # container's own namespace maps its root to that root. Each unshare makes a new namespace:
    # the same map, the same user.
    local ns="$b/userns" nid=vm-rootless-sd-ns
    mkdir -p "$ns"; chown "$uid:$gid" "$ns"
    jq '.linux.uidMappings=[{"containerID":0,"hostID":0,"size":1}] | .linux.gidMappings=[{"containerID":0,"hostID":0,"size":1}]' \
      "$b/config.json" > "$ns/config.json"
    if as unshare -Ur "$CSRUN" --systemd-cgroup run -d --bundle "$ns" "$nid" > "$ns/out.log" 2>&1 </dev/null; then
      local npid; npid=$(as "$CSRUN" state "$nid" | jq -r .pid)
      check "rootless systemd in a user namespace: init's cgroup" "$mgr/user.slice/csrun-$nid.scope" "$(sed -n 's/^0:://p' "/proc/$npid/cgroup")"
      check "rootless systemd in a user namespace: memory.max" 67108864 "$(cat "/sys/fs/cgroup$mgr/user.slice/csrun-$nid.scope/memory.max")"
      as unshare -Ur "$CSRUN" delete --force "$nid" || fail "rootless systemd in a user namespace: delete --force"
      check "rootless systemd in a user namespace: no unit left" "" "$(as systemctl --user list-units --all --no-legend "csrun-$nid.scope")"
    else
      fail "rootless systemd in a user namespace: run -d: $(cat "$ns/out.log")"
    fi
    as "$CSRUN" delete --force "$nid" 2>/dev/null
  fi
  loginctl disable-linger "$user"
  systemctl stop "user@$uid.service"
  userdel -r "$user" 2>/dev/null
  rm -rf "$b" "$home" "$dropin/csrun-vm.conf"; rmdir "$dropin" 2>/dev/null
  systemctl daemon-reload
}

# stacked_test RUNTIME: a second cgroup mount on /sys/fs/cgroup, stacked on the first (legal in
# the spec: mounts apply in order). The kernel refuses a second cgroup2 mount of the same cgroup
# on the same mount point (EBUSY); runc binds the container's cgroup instead.
stacked_test() {
  local rt=$1 name=$2 id=vm-stacked-$2 b="$W/stacked-$2"
  echo "== stacked cgroup mounts ($name)"
  mkdir -p "$b"
  jq '.process.args=["sh","-c","grep -c \" /sys/fs/cgroup \" /proc/self/mountinfo; cat /sys/fs/cgroup/memory.max"]
    | .mounts+=[{"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]}]' \
    "$W/config.json" > "$b/config.json"
  local out rc=0
  out=$("$rt" --root "$ROOT" run --bundle "$b" "$id" 2>&1 </dev/null) || rc=$?
  check "stacked ($name): run exits 0" 0 "$rc"
  check "stacked ($name): two mounts on /sys/fs/cgroup, the container's limit seen" "2 67108864" "$(echo $out)"
  "$rt" --root "$ROOT" delete --force "$id" 2>/dev/null
  rm -rf "$b"
}

driver_test cgroupfs
driver_test systemd
rootless_test
rootless_systemd_test
stacked_test "$CSRUN" csrun
stacked_test runc runc
. "$(dirname "$0")/criu-guest.sh" && criu_tests

rmdir /sys/fs/cgroup/csrun-vm 2>/dev/null
left=$(ls "$ROOT" 2>/dev/null)
check "no containers left in $ROOT" "" "$left"
echo "cgroup-v2: $passes passed, $fails failed, $skips skipped in $(( $(date +%s) - t0 ))s"
[ $fails = 0 ]
