#!/usr/bin/env bash
# The main job on one machine: a local PostgreSQL this project owns, demo data (or the folder you name),
# `sparkify load`, then the warehouse counts.
#   scripts/run-local.sh                      # generate demo data and load it
#   scripts/run-local.sh path/to/folder       # load a folder holding song_data/ and/or log_data/
#   --fresh                                   # empty this data source's warehouse first
# Each data source has a warehouse (a database on the local server) of its own, kept between runs, named as
# scripts/run.sh names its warehouses: demo-<songs>-<events>-<seed>, or folder-<name>-<hash of its full path>. A run
# loads only what that warehouse does not hold yet; loading one folder never adds to another's, nor to the demo's.
# Demo size: SPARKIFY_DEMO_SONGS (default 2000), SPARKIFY_DEMO_EVENTS (default 100000), SPARKIFY_DEMO_SEED (42).
# SPARKIFY_NO_BUILD=1 skips building the tool (when it is built already, as scripts/test.sh does).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

fresh=0
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --fresh) fresh=1 ;;
    *) echo "usage: scripts/run-local.sh [--fresh] [folder]" >&2; exit 2 ;;
  esac
  shift
done

if [[ $# -ge 1 ]]; then
  if [[ ! -d "$1" ]]; then
    echo "error: no such folder: $1" >&2
    exit 2
  fi
  folder=$(realpath "$1")
  name=$(basename "$folder" | LC_ALL=C sed 's/[^A-Za-z0-9]/-/g' | cut -c1-40)
  source="folder-$name-$(printf '%s' "$folder" | sha256sum | cut -c1-8)"
else
  songs=${SPARKIFY_DEMO_SONGS:-2000}
  events=${SPARKIFY_DEMO_EVENTS:-100000}
  seed=${SPARKIFY_DEMO_SEED:-42}
  source="demo-$songs-$events-$seed"
  folder="$root/.local/demo-data/songs-$songs-events-$events-seed-$seed"
fi

export SPARKIFY_DATABASE="$source"
echo "Warehouse for $source: database $source on the project's local PostgreSQL (--fresh empties it)." >&2
connection=$(scripts/local-postgres.sh start)
export ConnectionStrings__warehouse="$connection"

if [[ "${SPARKIFY_NO_BUILD:-0}" != 1 ]]; then
  echo "Building the sparkify tool..." >&2
  dotnet build Sparkify.Cli/Sparkify.Cli.csproj -c Release -nologo -v q -clp:ErrorsOnly -clp:NoSummary >&2
fi
sparkify=(dotnet "$root/Sparkify.Cli/bin/Release/net10.0/sparkify.dll")

if [[ $# -eq 0 ]]; then
  if [[ ! -d "$folder/log_data" ]]; then
    rm -rf "$folder"
    "${sparkify[@]}" generate "$folder" --songs "$songs" --events "$events" --seed "$seed"
  else
    echo "Reusing demo data in $folder" >&2
  fi
fi

if [[ $fresh -eq 1 ]]; then
  "${sparkify[@]}" create-tables --drop
fi

status=0
"${sparkify[@]}" load "$folder" || status=$?
echo
echo "Warehouse counts ($source):"
"${sparkify[@]}" stats
echo
echo "Query it:  SPARKIFY_DATABASE=$source scripts/local-postgres.sh psql"
echo "Stop it:   scripts/local-postgres.sh stop"
exit "$status"
