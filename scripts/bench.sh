#!/usr/bin/env bash
# The benchmark: builds in Release, installs what the ways need (PostgreSQL, fauxqs), starts the project's local
# PostgreSQL (scripts/local-postgres.sh) and runs `sparkify bench` against it. Arguments go to `sparkify bench`:
#   scripts/bench.sh                               # defaults: 2,000 songs + 100,000 events
#   scripts/bench.sh --songs 10000 --events 300000
#   scripts/bench.sh --json
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/ensure-postgres.sh >/dev/null
scripts/ensure-fauxqs.sh
dotnet build Sparkify.sln -c Release -nologo -v q -clp:ErrorsOnly -clp:NoSummary >&2
ConnectionStrings__warehouse=$(scripts/local-postgres.sh start)
export ConnectionStrings__warehouse
exec dotnet Sparkify.Cli/bin/Release/net10.0/sparkify.dll bench "$@"
