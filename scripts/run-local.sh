#!/usr/bin/env bash
# The main job on one machine: a local PostgreSQL this project owns, demo data (or the folder you name),
# `sparkify load`, then the warehouse counts.
#   scripts/run-local.sh                      # generate demo data and load it
#   scripts/run-local.sh path/to/folder       # load a folder holding song_data/ and/or log_data/
# Demo size: SPARKIFY_DEMO_SONGS (default 2000), SPARKIFY_DEMO_EVENTS (default 100000), SPARKIFY_DEMO_SEED (42).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

connection=$(scripts/local-postgres.sh start)
export ConnectionStrings__warehouse="$connection"

echo "Building the sparkify tool..." >&2
dotnet build Sparkify.Cli/Sparkify.Cli.csproj -c Release -nologo -v q -clp:ErrorsOnly -clp:NoSummary >&2
sparkify=(dotnet "$root/Sparkify.Cli/bin/Release/net10.0/sparkify.dll")

if [[ $# -ge 1 ]]; then
  folder=$1
else
  songs=${SPARKIFY_DEMO_SONGS:-2000}
  events=${SPARKIFY_DEMO_EVENTS:-100000}
  seed=${SPARKIFY_DEMO_SEED:-42}
  folder="$root/.local/demo-data/songs-$songs-events-$events-seed-$seed"
  if [[ ! -d "$folder/log_data" ]]; then
    rm -rf "$folder"
    "${sparkify[@]}" generate "$folder" --songs "$songs" --events "$events" --seed "$seed"
  else
    echo "Reusing demo data in $folder" >&2
  fi
fi

status=0
"${sparkify[@]}" load "$folder" || status=$?
echo
echo "Warehouse counts:"
"${sparkify[@]}" stats
echo
echo "Query it:  scripts/local-postgres.sh psql"
echo "Stop it:   scripts/local-postgres.sh stop"
exit "$status"
