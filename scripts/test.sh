#!/usr/bin/env bash
# Runs the xunit suite (Release build made by `make setup`) and ends with a plain summary line
# "tests: N passed, N failed" so CI logs can be read at a glance.
set -uo pipefail
log=$(mktemp)
dotnet test tests/SelfSup.Tests/SelfSup.Tests.csproj -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --blame-hang-timeout 10m 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# the closing block of `dotnet test` reads "Total tests: T / Passed: P / Failed: F" (Failed omitted when 0)
passed=$(grep -E "^ +Passed: +[0-9]+$" "$log" | tail -1 | grep -oE "[0-9]+")
failed=$(grep -E "^ +Failed: +[0-9]+$" "$log" | tail -1 | grep -oE "[0-9]+")
total=$(grep -E "^Total tests: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+")
rm -f "$log"
failed=${failed:-0}
if [ -z "$total" ] || [ -z "$passed" ]; then
  echo "tests: 0 passed, 1 failed (the test run did not complete; see the output above)"
  exit 1
fi
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
