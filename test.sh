#!/usr/bin/env bash
# Runs every test suite of ArActors on a fresh Debian machine, as root or not:
# installs what is missing (PostgreSQL, Chromium, Node packages), starts a throwaway PostgreSQL cluster on a free
# loopback port, builds, runs each .NET test project and the Node e2e suite, stops PostgreSQL (also on failure),
# and prints the totals as its last line: "N passed, N failed" (", N skipped" when any were skipped).
set -uo pipefail
cd "$(dirname "$0")"
root=$PWD
results=$root/.test-results
rm -rf "$results" && mkdir -p "$results"

say() { echo "[test.sh] $*"; }
passed=0 failed=0 skipped=0
finish() {
  local line="$passed passed, $failed failed"
  [ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
  echo "$line"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}
fail_setup() { say "setup failed: $*"; failed=$((failed + 1)); finish; }

. tools/throwaway-postgres.sh

# --- what the tests need -------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || fail_setup "the .NET SDK (dotnet) is not on PATH"
chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium_path" ]; then
  say "installing chromium"
  apt_install chromium || fail_setup "Chromium is missing and could not be installed (needs root or sudo)"
fi
export CHROMIUM_PATH=$chromium_path
if ! command -v npm >/dev/null; then
  say "installing nodejs and npm"
  apt_install nodejs npm || fail_setup "Node.js/npm are missing and could not be installed"
fi

# --- a throwaway PostgreSQL cluster, as an unprivileged user (stopped on exit) --------------------------------------
start_throwaway_postgres || fail_setup "no PostgreSQL for the tests"
export ARACTORS_TEST_PG=$PG_CONNECTION
say "PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT"

# --- build once ----------------------------------------------------------------------------------------------------
say "building"
if ! dotnet build ArActors.sln -c Debug -nologo -v quiet -clp:ErrorsOnly; then
  failed=$((failed + 1)); say "build failed"; finish
fi

# --- .NET suites, one project at a time (2 cores: parallel projects only fight for them) ---------------------------
for project in tests/*.Tests/*.csproj; do
  name=$(basename "$project" .csproj)
  say "running $name"
  dotnet test "$project" --no-build -c Debug -nologo --blame-hang-timeout 15m \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results" \
    > "$results/$name.log" 2>&1
  code=$?
  grep -E '^\s+(Failed|Passed|Skipped) |Error Message|Assert\.|Total tests|^Passed!|^Failed!' "$results/$name.log" | grep -vE '^\s+Passed ' | tail -n 60
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    s=$(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); say "$name exited with $code (see $results/$name.log)"; fi
  elif grep -q "No test is available" "$results/$name.log" && [ "$code" -eq 0 ]; then
    say "$name has no tests yet"
  else
    failed=$((failed + 1)); say "$name produced no results (exit $code):"; tail -n 40 "$results/$name.log"
  fi
done

# --- Node e2e suite: the engine as a process, Chromium, the SignalR client -----------------------------------------
say "running e2e"
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >"$results/npm-ci.log" 2>&1) \
  || { cat "$results/npm-ci.log"; failed=$((failed + 1)); finish; }
mkdir -p tests/e2e/artifacts
(cd tests/e2e && node --test --test-concurrency=1 --test-timeout=120000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$results/e2e.tap")
code=$?
if [ -f "$results/e2e.tap" ] && grep -q '^# pass' "$results/e2e.tap"; then
  p=$(grep -E '^# pass ' "$results/e2e.tap" | awk '{print $3}')
  f=$(grep -E '^# fail ' "$results/e2e.tap" | awk '{print $3}')
  c=$(grep -E '^# cancelled ' "$results/e2e.tap" | awk '{print $3}')
  s=$(grep -E '^# skipped ' "$results/e2e.tap" | awk '{print $3}')
  passed=$((passed + p)); failed=$((failed + f + c)); skipped=$((skipped + s))
  if [ "$code" -ne 0 ] && [ $((f + c)) -eq 0 ]; then failed=$((failed + 1)); fi
else
  failed=$((failed + 1)); say "e2e produced no results (exit $code)"
fi

finish
