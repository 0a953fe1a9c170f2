#!/usr/bin/env bash
# Runs every test project and ends with one summary line: "tests: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
# xunit runs test classes in parallel on every core; libtorch's own threads on top would oversubscribe them.
# OMP_NUM_THREADS too, for test processes whose first call reaches TorchSharp before VaeLab (which reads VAELAB_NUM_THREADS).
export VAELAB_NUM_THREADS=${VAELAB_NUM_THREADS:-1}
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$VAELAB_NUM_THREADS}
log=$(mktemp)
dotnet test Polyglot.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# CI shows the end of the output: repeat each failed test's name and message there, above the summary.
awk '/^  Failed [^!]/ { show = 1 } /^  Stack Trace:/ { show = 0 } show' "$log" | head -n 200
# dotnet test prints one "Passed!/Failed!  - Failed: a, Passed: b, Skipped: c, ..." line per test assembly.
awk -F'[:,]' '/(Passed|Failed)! +- Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
rm -f "$log"
exit "$status"
