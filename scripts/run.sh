#!/usr/bin/env bash
# The product on one machine, no cloud account: installs what is missing (PostgreSQL server binaries, the local
# S3/SQS endpoint fauxqs via npm, NuGet packages), then runs the Aspire AppHost — local PostgreSQL, local S3 + SQS,
# the Ingest and Transform workers, and the dashboard (its login URL is printed).
#   scripts/run.sh [folder]          # runs until Ctrl+C; Ingest watches the bucket for new files
#   scripts/run.sh --once [folder]   # run-once: waits for the batch, prints counts and checks, exits 0 or 1
#   --fresh                          # start this data source's warehouse empty
#   --notifications                  # Ingest in notification mode (events posted for the uploaded files), the scan beside it
# Without a folder the bucket is filled with demo data (sparkify generate); with one, with that folder's files. Each
# data source (the demo data, each folder) has a warehouse of its own, kept between runs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

args=()
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --once) args+=("--Sparkify:RunOnce=true") ;;
    --fresh) args+=("--Sparkify:Fresh=true") ;;
    --notifications) args+=("--Sparkify:Notifications=true") ;;
    *) echo "usage: scripts/run.sh [--once] [--fresh] [--notifications] [folder]" >&2; exit 2 ;;
  esac
  shift
done
if [[ $# -ge 1 ]]; then
  args+=("--Sparkify:DataFolder=$(realpath "$1")")
fi

scripts/ensure-postgres.sh >/dev/null
scripts/ensure-fauxqs.sh
echo "Building..." >&2
dotnet build Sparkify.AppHost/Sparkify.AppHost.csproj -c Release -nologo -v q -clp:ErrorsOnly -clp:NoSummary >&2
exec dotnet run --project Sparkify.AppHost -c Release --no-build -- "${args[@]}"
