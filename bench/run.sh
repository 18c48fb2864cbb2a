#!/usr/bin/env bash
# Runs benchmarks in Release against a throwaway PostgreSQL cluster:  bench/run.sh <name ...|all> [--scale S]
# Names: see `dotnet run --project bench/ArActors.Bench` (no name: the list); push and escalation-day are issue 10 items 2 and 3.
# Each benchmark prints its figure next to a raw baseline measured in the same run, as a table and JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/throwaway-postgres.sh
start_throwaway_postgres
export ARACTORS_BENCH_PG=$PG_CONNECTION
echo "PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT; $(nproc) cores; $(dotnet --version) SDK; $(date -u +%Y-%m-%dT%H:%MZ)"
# The ingest benchmark runs the engine as a process of its own (Release build of src/Silo).
dotnet build -c Release src/Silo/ArActors.Silo.csproj -nologo -v quiet -clp:ErrorsOnly >/dev/null
export ARACTORS_BENCH_SILO=$PWD/src/Silo/bin/Release/net10.0/ArActors.Silo.dll
# The push benchmark's clients are @microsoft/signalr in one Node process (bench/push).
if [ ! -d bench/push/node_modules ]; then (cd bench/push && npm ci --no-audit --no-fund >/dev/null); fi
export ARACTORS_BENCH_PUSH_TOOL=$PWD/bench/push/push.mjs
dotnet run -c Release --project bench/ArActors.Bench -- "$@"
