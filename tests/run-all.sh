#!/usr/bin/env bash
# Every test: unit and integration (real containers through out/csrun). Called by ./build.sh test.
# Ends with the plain summary line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
[ -x out/csrun ] || { echo "out/csrun missing: run ./build.sh first" >&2; exit 1; }

log=$(mktemp)
dotnet test tests/CsRun.Tests -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -1)
rm -f "$log"
passed=$(sed -nE 's/.*Passed: *([0-9]+).*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.*Failed: *([0-9]+),.*/\1/p' <<<"$summary")
skipped=$(sed -nE 's/.*Skipped: *([0-9]+).*/\1/p' <<<"$summary")

# Formatting (.editorconfig): the same check every contributor runs before a commit.
fmt=0
dotnet format whitespace CsRun.sln --verify-no-changes || fmt=$?
if [ "$fmt" = 0 ]; then passed=$(( ${passed:-0} + 1 )); else echo "formatting: run 'dotnet format whitespace CsRun.sln'" >&2; failed=$(( ${failed:-0} + 1 )); fi

# cgroup v2 and the systemd driver cannot run on this host: prove them in the Debian VM.
# A VM that timed out or died (124, 125) is the emulator, not csrun: boot it once more.
vm=0
if [ "${CSRUN_SKIP_VM:-0}" != 1 ]; then
  tests/vm/run.sh || vm=$?
  if [ "$vm" = 124 ] || [ "$vm" = 125 ]; then vm=0; tests/vm/run.sh || vm=$?; fi
  if [ "$vm" = 0 ]; then passed=$(( ${passed:-0} + 1 )); else failed=$(( ${failed:-0} + 1 )); fi
fi

# linux/arm64: out/csrun-arm64 (./build.sh arm64) in an emulated arm64 machine (tests/arm64);
# a VM that timed out or died is booted once more, as above.
arm64=0
if [ "${CSRUN_SKIP_ARM64:-0}" != 1 ]; then
  tests/arm64/run.sh || arm64=$?
  if [ "$arm64" = 124 ] || [ "$arm64" = 125 ]; then arm64=0; tests/arm64/run.sh || arm64=$?; fi
  if [ "$arm64" = 0 ]; then passed=$(( ${passed:-0} + 1 )); else failed=$(( ${failed:-0} + 1 )); fi
fi

# The benchmark in its short mode: proves it still runs csrun, runc and crun side by side.
bench=0
if [ "${CSRUN_SKIP_BENCH:-0}" != 1 ]; then
  bench/run.sh --quick || bench=$?
  if [ "$bench" = 0 ]; then passed=$(( ${passed:-0} + 1 )); else failed=$(( ${failed:-0} + 1 )); fi
fi

echo
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] || [ -z "$summary" ] || [ "$vm" != 0 ] || [ "$arm64" != 0 ] || [ "$bench" != 0 ] || [ "$fmt" != 0 ]; then exit 1; fi
