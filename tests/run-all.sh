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
echo
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] || [ -z "$summary" ]; then exit 1; fi
