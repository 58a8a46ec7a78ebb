#!/bin/sh
# The arm64 smoke test, run in the arm64 VM (tests/arm64/run.sh) as its first process: a busybox
# container through csrun's lifecycle (create, start, state, exec, kill, delete, run), a cgroup v2
# memory limit read back, and a seccomp profile that makes mkdirat fail with EPERM. Prints one
# line per check and "ARM64-SMOKE: PASS" or "ARM64-SMOKE: FAIL", then powers the VM off.
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t tmpfs tmp /tmp
mount -t tmpfs run /run
echo "+memory +pids" > /sys/fs/cgroup/cgroup.subtree_control
fails=0
check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: expected [$2], got [$3]"; fails=$((fails + 1)); fi
}
echo "kernel $(uname -r) on $(uname -m); $(/csrun --version | head -1)"

check "features" ok "$(/csrun features | grep -q '"SCMP_ARCH_AARCH64"' && echo ok)"
mkdir -p /tmp/spec && (cd /tmp/spec && /csrun spec); check "spec" ok "$(grep -q '"ociVersion"' /tmp/spec/config.json && echo ok)"

b=/tmp/bundle
mkdir -p $b/rootfs/bin $b/rootfs/proc $b/rootfs/dev $b/rootfs/tmp
cp /bin/busybox $b/rootfs/bin/
for a in sh sleep cat echo mkdir ls true; do ln -s busybox $b/rootfs/bin/$a; done
cat > $b/config.json <<'JSON'
{
  "ociVersion": "1.0.2",
  "process": { "terminal": false, "user": { "uid": 0, "gid": 0 }, "args": ["sleep", "600"],
    "env": ["PATH=/bin"], "cwd": "/",
    "capabilities": { "bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"] },
    "noNewPrivileges": true },
  "root": { "path": "rootfs", "readonly": false },
  "hostname": "arm64",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" }, { "type": "uts" }, { "type": "network" } ],
    "cgroupsPath": "/smoke/c1",
    "resources": { "memory": { "limit": 33554432 }, "pids": { "limit": 32 } },
    "seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
      "syscalls": [ { "names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
  }
}
JSON
R="/csrun --root /run/csrun"
cd $b
$R create --bundle $b c1 > /tmp/create.out 2>&1; check "create" 0 $?
cat /tmp/create.out
state() { $R state c1 2>/dev/null | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p'; }
check "state created" created "$(state)"
$R start c1; check "start" 0 $?
check "state running" running "$(state)"
check "exec echo" hi "$($R exec c1 echo hi 2>&1)"
check "exec hostname" arm64 "$($R exec c1 cat /proc/sys/kernel/hostname 2>&1)"
check "memory.max" 33554432 "$(cat /sys/fs/cgroup/smoke/c1/memory.max 2>&1)"
check "pids.max" 32 "$(cat /sys/fs/cgroup/smoke/c1/pids.max 2>&1)"
out=$($R exec c1 mkdir /tmp/x 2>&1); rc=$?
check "seccomp: mkdir fails" 1 "$rc"
case "$out" in *"Operation not permitted"*) check "seccomp: EPERM" EPERM EPERM ;; *) check "seccomp: EPERM" "Operation not permitted" "$out" ;; esac
# /tmp is writable (a file can be made there): the EPERM above is the filter's, not a permission's
check "seccomp: other calls work" ok "$($R exec c1 sh -c 'echo x > /tmp/f && ls / > /dev/null && echo ok' 2>&1)"
$R kill c1 KILL; check "kill" 0 $?
i=0; while [ "$(state)" != stopped ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "state stopped" stopped "$(state)"
$R delete c1; check "delete" 0 $?
check "list empty" "" "$($R list -q)"
check "cgroup removed" gone "$([ -d /sys/fs/cgroup/smoke/c1 ] && echo left || echo gone)"
sed -i 's/"args": \["sleep", "600"\]/"args": ["sh", "-c", "exit 3"]/' config.json
$R run --bundle $b c2 > /dev/null 2>&1; check "run: exit status" 3 $?
check "run: deleted" "" "$($R list -q)"

if [ $fails = 0 ]; then echo "ARM64-SMOKE: PASS"; else echo "ARM64-SMOKE: FAIL ($fails)"; fi
sync
poweroff -f
