#!/usr/bin/env bash
# Installs cdk-nag (pinned with aws-cdk-lib and constructs in tools/cdk-nag/package-lock.json) into
# tools/cdk-nag/node_modules when it is missing: the stack tests run its AwsSolutions pack over the synthesized
# templates. Quiet unless the install fails. Needs npm; installs Node.js/npm from apt when even that is missing.
set -euo pipefail
source "$(dirname "$0")/lib/quiet-install.sh"

tools=$(cd "$(dirname "$0")/../tools/cdk-nag" && pwd)
if [[ -f "$tools/node_modules/cdk-nag/package.json" && -f "$tools/node_modules/aws-cdk-lib/package.json" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
quietly "npm ci in $tools" npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
