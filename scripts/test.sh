#!/usr/bin/env bash
# The whole test suite: installs the PostgreSQL server binaries, the local S3/SQS endpoint and the container tools
# when missing (the tests start their own servers on free loopback ports), restores, builds and runs every test project.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/ensure-postgres.sh >/dev/null
scripts/ensure-fauxqs.sh
# The stack tests run cdk-nag's AwsSolutions pack over the synthesized templates.
scripts/ensure-cdk-nag.sh
# The deployment rehearsal runs the product's images with podman (installed from apt when missing).
scripts/ensure-container-tools.sh >/dev/null
# The report page is tested in a real browser.
scripts/ensure-browser.sh
dotnet restore Sparkify.sln -nologo -v q
dotnet build Sparkify.sln -c Release --no-restore -nologo -v q -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test Sparkify.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?
# One plain summary line over all test assemblies.
grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" \
  | awk -F'[:,]' '{ f += $2; p += $4; s += $6 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit "$status"
