#!/usr/bin/env bash
# Runs the reliability tests (every test with the trait Category=Reliability: bad inputs, SQL attacks, kills, ...)
# with TANDEM_RELIABILITY_LOG set, then renders docs/RELIABILITY.md from the cases they recorded. Exit code: the
# tests' (the table is written in any case, failed cases marked).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Tandem.Cli -c Release -v q -nologo 2>&1 | grep -E "tandem:|error" || true
log=$(mktemp --suffix=.jsonl)
trap 'rm -f "$log"' EXIT
rc=0
for project in tests/Tandem.Tests tests/Tandem.Server.Tests; do      # the library and CLI; the server
  dotnet build "$project" -c Release -v q -nologo 2>&1 | grep -E "error" || true
  TANDEM_RELIABILITY_LOG="$log" dotnet test "$project" -c Release --no-build --filter "Category=Reliability" 2>&1 | grep -E "^\s+Failed |Passed!|Failed!|error"
  run=${PIPESTATUS[0]}
  [[ $rc -eq 0 ]] && rc=$run
done
cpu=$(grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
machine="$(uname -sr), ${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), .NET $(dotnet --version)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src tests 2>/dev/null || echo ' (with uncommitted changes)')"
dotnet run scripts/reliability-table.cs -- "$log" docs/RELIABILITY.md "$machine" "$commit" || rc=1
exit "$rc"
