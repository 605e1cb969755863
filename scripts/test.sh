#!/usr/bin/env bash
# Runs the xunit suite (Release build made by `make setup`) and ends with a plain summary line
# "tests: N passed, N failed" so CI logs can be read at a glance.
set -uo pipefail
log=$(mktemp)
dotnet test tests/SelfSup.Tests/SelfSup.Tests.csproj -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --blame-hang-timeout 10m 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E "(Passed|Failed)!? +- +Failed: +[0-9]+, +Passed: +[0-9]+" "$log" | tail -1)
failed=$(sed -E 's/.*Failed: +([0-9]+).*/\1/' <<<"$summary")
passed=$(sed -E 's/.*Passed: +([0-9]+).*/\1/' <<<"$summary")
rm -f "$log"
if [ -z "$summary" ]; then
  echo "tests: 0 passed, 1 failed (the test run did not complete; see the output above)"
  exit 1
fi
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
