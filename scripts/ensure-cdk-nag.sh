#!/usr/bin/env bash
# Installs cdk-nag (pinned with aws-cdk-lib and constructs in tools/cdk-nag/package-lock.json) into
# tools/cdk-nag/node_modules when it is missing: the stack tests run its AwsSolutions pack over the synthesized
# templates. Quiet unless the install fails. Needs npm; installs Node.js/npm from apt when even that is missing.
set -euo pipefail

tools=$(cd "$(dirname "$0")/../tools/cdk-nag" && pwd)
if [[ -f "$tools/node_modules/cdk-nag/package.json" && -f "$tools/node_modules/aws-cdk-lib/package.json" ]]; then
  exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! command -v npm >/dev/null; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "error: could not install nodejs and npm with apt-get" >&2
    exit 1
  fi
fi
if ! npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  cat "$log" >&2
  echo "error: npm ci in $tools failed" >&2
  exit 1
fi
