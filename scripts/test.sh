#!/usr/bin/env bash
# Runs the whole test suite (unit, parity with transformers, CLI end-to-end) and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.hugetlb=1}"   # faster fresh pages for libtorch (see README)
dotnet build src/Tandem.Cli -c Release -v q -nologo 2>&1 | grep -E "tandem:|error" || true   # installs tcmalloc where it can
tcmalloc=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4                # and the test host runs with it (README)
if [[ -f $tcmalloc && ${LD_PRELOAD:-} != *malloc* ]]; then
  export LD_PRELOAD="$tcmalloc${LD_PRELOAD:+:$LD_PRELOAD}" TCMALLOC_RELEASE_RATE="${TCMALLOC_RELEASE_RATE:-0}"   # as tandem re-runs itself
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# The page's browser test drives Debian's chromium (never a downloaded browser): install the package when missing.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 && -z ${TANDEM_NO_APT:-} ]]; then
    echo "tandem: installing chromium for the browser test (apt-get install -y chromium)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
      || echo "tandem: apt-get install chromium failed; the browser test will fail"
  else
    echo "tandem: the browser test needs chromium: sudo apt-get install -y chromium"
  fi
fi
log=$(mktemp)
rc=0
for project in tests/Tandem.Tests tests/Tandem.Server.Tests; do      # the library and CLI; the server and its page
  dotnet test "$project" -c Release 2>&1 | tee -a "$log"
  run=${PIPESTATUS[0]}
  [[ $rc -eq 0 ]] && rc=$run
done
summaries=$(grep -E '(Passed|Failed)!  ?- ' "$log")
if [[ $(wc -l <<<"$summaries") -eq 2 ]]; then
  sum() { local total=0 n; for n in $(sed -E "s/.*$1: *([0-9]+).*/\\1/" <<<"$summaries"); do total=$((total + n)); done; echo "$total"; }
  echo "Tests: $(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"
else
  echo "Tests: 0 passed, 1 failed (a build or a test run failed before its results; see above)"
  [[ $rc -eq 0 ]] && rc=1
fi
rm -f "$log"
exit "$rc"
