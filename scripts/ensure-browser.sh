#!/usr/bin/env bash
# Installs Debian's Chromium, which the report page's browser tests drive with Playwright (Playwright cannot download
# its own browsers here), when it is missing.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
echo "Installing chromium with apt-get..." >&2
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
$sudo apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
