#!/usr/bin/env bash
# Runs the whole test suite (unit, parity with transformers, CLI end-to-end) and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"   # faster fresh pages for libtorch (see README)
dotnet build src/Tandem.Cli -c Release -v q -nologo 2>&1 | grep -E "tandem:|error" || true   # installs tcmalloc where it can
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4                # and the test host runs with it (README)
if [[ -f $tcmalloc && ${LD_PRELOAD:-} != *malloc* ]]; then export LD_PRELOAD="$tcmalloc${LD_PRELOAD:+:$LD_PRELOAD}"; fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
dotnet test tests/Tandem.Tests -c Release 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
summary=$(grep -E '(Passed|Failed)!  ?- ' "$log" | tail -1)
if [[ -n $summary ]]; then
  passed=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$summary")
  failed=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$summary")
  skipped=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$summary")
  echo "Tests: $passed passed, $failed failed, $skipped skipped"
else
  echo "Tests: 0 passed, 1 failed (the build or the test run failed before any result; see above)"
  [[ $rc -eq 0 ]] && rc=1
fi
rm -f "$log"
exit "$rc"
