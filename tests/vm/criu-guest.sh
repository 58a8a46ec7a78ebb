#!/bin/bash
# criu-guest.sh - runs INSIDE the test VM: what the host's kernel cannot check of checkpoint and
# restore. Sourced by cgroup-v2.sh (criu_tests), or alone (tests/vm/boot.sh IMG . tests/vm/criu-guest.sh).
# The host (tests/vm/run.sh) shares tests/criu/get-criu.sh's CRIU 4.1 (a trixie root and its
# wrapper) as the 9p tag "criu", read-only; the guest's Debian 12 kernel (6.1) has soft-dirty
# page tracking and lets CRIU 4.1 dump TCP sockets, which the host's 6.18 does not.
# - pre-dump then dump with --parent-path, restore: the counter goes on, and the dump took pages
#   from the pre-dump (CRIU's stats-dump: pages skipped as in the parent);
# - an established TCP connection (busybox nc at both ends, the container's own network
#   namespace) refused without --tcp-established, dumped and restored with it, carrying on;
# each with csrun and with runc 1.1.5 (the image's) given the same --criu. runc restores that
# network namespace empty, so its TCP restore is expected to fail (README, checkpoint section).
# A failure prints CRIU's last error lines from its log.

# Not under /run: CRIU's restored init, which runs `ip` to restore the network namespace, does
# not see mounts under /run (tests/criu's ip wrapper lives next to criu).
CRIU_MNT=/mnt/csrun-vm-criu
CRIU=$CRIU_MNT/criu
CRIU_W=/tmp/csrun-vm-criu

# ck_bundle DIR SCRIPT: a bundle whose init runs `sh -c SCRIPT` in a writable busybox rootfs with
# its own namespaces (network included: loopback only).
ck_bundle() {
  local d=$1
  mkdir -p "$d/rootfs/bin" "$d/rootfs/proc" "$d/rootfs/sys" "$d/rootfs/dev" "$d/rootfs/tmp"
  cp /bin/busybox "$d/rootfs/bin/busybox"
  for a in sh echo cat sleep nc; do ln -s busybox "$d/rootfs/bin/$a"; done
  (cd "$d" && "$CSRUN" spec) || { fail "criu: csrun spec"; return 1; }
  jq --arg s "$2" --arg rootfs "$d/rootfs" '.process.terminal=false | .process.args=["sh","-c",$s]
    | .root.path=$rootfs | .root.readonly=false' "$d/config.json" > "$d/c.json" && mv "$d/c.json" "$d/config.json"
}

# ck_rt RT ARGS...: the runtime (csrun or runc, state under its own root) with pipes as stdio,
# as runc's checkpoint tests run it: the container inherits them; CRIU dumps a pipe as external
# and a restore puts its own stdio in its place. A host file or /dev/null would be on a mount the
# container cannot name. Output (the container's too) goes to $CK_LOG.
ck_rt() { rt_cmd "$@" < <(:) > >(cat >> "$CK_LOG") 2>&1; }
rt_cmd() {
  local rt=$1; shift
  if [ "$rt" = csrun ]; then "$CSRUN" --root "$ROOT" "$@"; else runc --root "$ROOT-runc" "$@"; fi
}

# ck_last FILE: the last number FILE holds (0 if none yet)
ck_last() { local n; n=$(tail -n 1 "$1" 2>/dev/null); echo "${n:-0}"; }
# ck_wait FILE N: until FILE's last number reaches N (60 s: the VM is emulated)
ck_wait() { wait_for 60 sh -c "[ \"\$(tail -n 1 '$1' 2>/dev/null)\" -ge $2 ] 2>/dev/null"; }
# ck_stats DIR: "scanned skipped-as-in-parent written" pages from DIR/stats-dump, CRIU's
# stats_entry.dump (fields 5, 6, 7) after the 8-byte image header and the entry's length.
ck_stats() {
  perl -e 'local $/; my $img = <STDIN>; length($img) > 12 or exit 1;
    sub varint { my ($b, $i) = @_; my ($v, $s, $c) = (0, 0);
      do { $c = ord substr($b, $i++, 1); $v |= ($c & 127) << $s; $s += 7 } while ($c & 128); ($v, $i) }
    sub fields { my ($b) = @_; my (%f, $k, $v, $i); $i = 0;
      while ($i < length $b) { ($k, $i) = varint($b, $i); ($v, $i) = varint($b, $i);
        if (($k & 7) == 2) { $f{$k >> 3} = substr($b, $i, $v); $i += $v } else { $f{$k >> 3} = $v } } %f }
    my %entry = fields(substr($img, 12, unpack("V", substr($img, 8, 4))));
    my %d = fields($entry{1}); print "$d{5} $d{6} $d{7}\n"' < "$1/stats-dump" 2>/dev/null
}
# ck_end RT ID DIR: the container and its bundle gone
ck_end() { rt_cmd "$1" delete -f "$2" >> "$CK_LOG" 2>&1; rm -rf "$3"; }
# ck_errors LOG: CRIU's last error lines, for a failure's message
ck_errors() { grep -a 'Error' "$1" 2>/dev/null | tail -4 | sed 's/^/   criu: /'; }
ck_status() { rt_cmd "$1" state "$2" 2>/dev/null | jq -r .status 2>/dev/null; }

# criu_predump RT: pre-dump, dump on it, restore, the counter goes on.
criu_predump() {
  local rt=$1 id=vm-predump-$1 d=$CRIU_W/predump-$1 CK_LOG=$CRIU_W/predump-$1.log
  echo "== criu: pre-dump and --parent-path ($rt)"
  ck_bundle "$d" 'i=0; while true; do i=$((i+1)); echo $i >> /count; sleep 0.1; done' || return
  local count=$d/rootfs/count
  ck_rt "$rt" run -d -b "$d" "$id" || { fail "criu ($rt): run -d: $(cat "$CK_LOG")"; return; }
  ck_wait "$count" 5 || fail "criu ($rt): the counter did not start"
  if ck_rt "$rt" --criu "$CRIU" checkpoint --pre-dump --image-path "$d/pre" "$id"; then
    pass "criu ($rt): checkpoint --pre-dump"
    check "criu ($rt): running after the pre-dump" running "$(ck_status "$rt" "$id")"
  else
    fail "criu ($rt): checkpoint --pre-dump: $(tail -5 "$CK_LOG")"; ck_errors "$d/pre/dump.log"
  fi
  local n; n=$(ck_last "$count")
  ck_wait "$count" $((n + 3)) || fail "criu ($rt): the counter stopped after the pre-dump"
  if ck_rt "$rt" --criu "$CRIU" checkpoint --parent-path ../pre --image-path "$d/full" "$id"; then
    pass "criu ($rt): checkpoint --parent-path ../pre"
  else
    fail "criu ($rt): checkpoint --parent-path: $(tail -5 "$CK_LOG")"; ck_errors "$d/full/dump.log"; ck_end "$rt" "$id" "$d"; return
  fi
  local dumped; dumped=$(ck_last "$count")
  check "criu ($rt): the dump links its parent" ../pre "$(readlink "$d/full/parent")"
  # The pre-dump wrote every page; the dump only those the counter dirtied since (soft-dirty),
  # the others being the parent's.
  local pre full; pre=$(ck_stats "$d/pre"); full=$(ck_stats "$d/full")
  echo "   pages (scanned, in the parent, written): pre-dump $pre; dump $full"
  local scanned parent written; read -r scanned parent written <<< "$full"
  [ "${parent:-0}" -gt 0 ] && [ "${written:-0}" -lt "${scanned:-0}" ] \
    && pass "criu ($rt): the dump took $parent of $scanned pages from the pre-dump, wrote $written" \
    || fail "criu ($rt): the dump took no page from the pre-dump (stats: '$full')"
  if ck_rt "$rt" --criu "$CRIU" restore -d -b "$d" --image-path "$d/full" "$id"; then
    check "criu ($rt): restored" running "$(ck_status "$rt" "$id")"
    ck_wait "$count" $((dumped + 3)) && pass "criu ($rt): the counter goes on from $dumped" \
      || fail "criu ($rt): the restored counter did not go on from $dumped (at $(ck_last "$count"))"
    grep -qx 1 <(sed -n "$((dumped + 1)),\$p" "$count") && fail "criu ($rt): the restored counter restarted"
  else
    fail "criu ($rt): restore: $(tail -5 "$CK_LOG")"; ck_errors "$d/full/restore.log"
  fi
  ck_end "$rt" "$id" "$d"
}

# criu_tcp RT: an established TCP connection in the container's netns across a checkpoint.
criu_tcp() {
  local rt=$1 id=vm-tcp-$1 d=$CRIU_W/tcp-$1 CK_LOG=$CRIU_W/tcp-$1.log
  echo "== criu: --tcp-established ($rt)"
  ck_bundle "$d" 'sleep 100000 | nc -l -p 9999 > /recv & sleep 0.5
i=0; while true; do i=$((i+1)); echo $i; sleep 0.1; done | nc 127.0.0.1 9999' || return
  local recv=$d/rootfs/recv
  ck_rt "$rt" run -d -b "$d" "$id" || { fail "criu ($rt): run -d: $(cat "$CK_LOG")"; return; }
  ck_wait "$recv" 3 || fail "criu ($rt): no data over the connection"
  if ck_rt "$rt" --criu "$CRIU" checkpoint --image-path "$d/refused" "$id"; then
    fail "criu ($rt): a checkpoint without --tcp-established succeeded"
  else
    # csrun quotes CRIU's log; runc names the log (its work dir is the image dir)
    wait_for 5 grep -qs "consider using --tcp-established" "$CK_LOG" "$d/refused/dump.log" \
      && pass "criu ($rt): refused without --tcp-established" \
      || fail "criu ($rt): refused otherwise: $(tail -3 "$CK_LOG")"
    check "criu ($rt): still running after the refusal" running "$(ck_status "$rt" "$id")"
  fi
  if ck_rt "$rt" --criu "$CRIU" checkpoint --tcp-established --image-path "$d/images" "$id"; then
    pass "criu ($rt): checkpoint --tcp-established"
  else
    fail "criu ($rt): checkpoint --tcp-established: $(tail -5 "$CK_LOG")"; ck_errors "$d/images/dump.log"; ck_end "$rt" "$id" "$d"; return
  fi
  local dumped; dumped=$(ck_last "$recv")
  if [ "$rt" = runc ]; then
    # runc always restores a network namespace it did not join empty (CLONE_NEWNET in
    # empty_ns: "runc doesn't manage network devices"): no lo, no 127.0.0.1 to reconnect.
    if ck_rt runc --criu "$CRIU" restore -d --tcp-established -b "$d" --image-path "$d/images" "$id"; then
      fail "criu (runc): restore --tcp-established into an empty network namespace succeeded"
    else
      pass "criu (runc): restore --tcp-established fails (runc leaves the network namespace empty)"
      ck_errors "$d/images/restore.log"
    fi
    ck_end "$rt" "$id" "$d"; return
  fi
  if ck_rt "$rt" --criu "$CRIU" restore -d --tcp-established -b "$d" --image-path "$d/images" "$id"; then
    check "criu ($rt): restored" running "$(ck_status "$rt" "$id")"
    ck_wait "$recv" $((dumped + 3)) && pass "criu ($rt): the connection carries on from $dumped" \
      || fail "criu ($rt): the restored connection did not carry on from $dumped (at $(ck_last "$recv"))"
  else
    fail "criu ($rt): restore --tcp-established: $(tail -5 "$CK_LOG")"; ck_errors "$d/images/restore.log"
  fi
  ck_end "$rt" "$id" "$d"
}

criu_tests() {
  echo "== criu (checkpoint and restore)"
  local started; started=$(date +%s)
  mkdir -p "$CRIU_MNT"
  if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro criu "$CRIU_MNT" 2>/dev/null; then
    skip "criu: no CRIU shared (tests/vm/run.sh shares tests/criu/get-criu.sh's as the 9p tag criu)"
    rmdir "$CRIU_MNT"; return
  fi
  echo "criu: $("$CRIU" --version | head -1) (the host's, tests/criu/get-criu.sh)"
  rm -rf "$CRIU_W"; mkdir -p "$CRIU_W"
  if "$CRIU" check --feature mem_dirty_track > "$CRIU_W/check.log" 2>&1; then
    pass "criu: the kernel tracks dirty memory (soft-dirty)"
    criu_predump csrun
    criu_predump runc
  else
    fail "criu: no soft-dirty tracking in the guest kernel: $(cat "$CRIU_W/check.log")"
  fi
  criu_tcp csrun
  criu_tcp runc
  check "criu: no runc containers left" "" "$(ls "$ROOT-runc" 2>/dev/null)"
  rm -rf "$CRIU_W" "$ROOT-runc"
  umount "$CRIU_MNT" && rmdir "$CRIU_MNT"
  echo "   criu tests took $(( $(date +%s) - started ))s"
}

# Alone: the helpers cgroup-v2.sh would have defined, then the tests and a summary.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  CSRUN=${CSRUN:-/host/out/csrun} ROOT=/run/csrun-vm passes=0 fails=0 skips=0 t0=$(date +%s)
  pass() { echo "PASS: $*"; passes=$((passes + 1)); }
  fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
  skip() { echo "SKIP: $*"; skips=$((skips + 1)); }
  check() { if [ "$2" = "$3" ]; then pass "$1 ($3)"; else fail "$1: expected '$2', got '$3'"; fi; }
  wait_for() { local n=$(($1 * 5)); shift; while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.2; n=$((n - 1)); done; return 1; }
  criu_tests
  check "no containers left in $ROOT" "" "$(ls "$ROOT" 2>/dev/null)"
  echo "criu-guest: $passes passed, $fails failed, $skips skipped in $(( $(date +%s) - t0 ))s"
  [ $fails = 0 ]
fi
