#!/usr/bin/env bash
# Runs the xunit suite (Release build made by `make setup`) and ends with the failed tests, each with the first
# lines of its error, then a plain summary line "tests: N passed, N failed" — so the tail of a CI log says what broke.
set -uo pipefail
log=$(mktemp)
dotnet test tests/SelfSup.Tests/SelfSup.Tests.csproj -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --blame-hang-timeout 10m 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# the closing block of `dotnet test` reads "Total tests: T / Passed: P / Failed: F" (Failed omitted when 0)
passed=$(grep -E "^ +Passed: +[0-9]+$" "$log" | tail -1 | grep -oE "[0-9]+")
failed=$(grep -E "^ +Failed: +[0-9]+$" "$log" | tail -1 | grep -oE "[0-9]+")
total=$(grep -E "^Total tests: +[0-9]+" "$log" | tail -1 | grep -oE "[0-9]+")
failed=${failed:-0}
if [ "$failed" -gt 0 ]; then
  echo
  echo "== the ${failed} failed tests, each with the start of its error (the whole text is above) =="
  # a failure is "  Failed Name [time]" then "  Error Message:" and its lines; keep 4 lines of each message
  awk '/^  Failed [A-Za-z]/ { name = $0; sub(/^  Failed /, "", name); print "FAILED " name; grab = 0; next }
       /^  Error Message:/ { grab = 4; next }
       /^  Stack Trace:/ { grab = 0; next }
       grab > 0 { print "   " $0; grab-- }' "$log" | head -n 400
fi
rm -f "$log"
if [ -z "$total" ] || [ -z "$passed" ]; then
  echo "tests: 0 passed, 1 failed (the test run did not complete; see the output above)"
  exit 1
fi
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
