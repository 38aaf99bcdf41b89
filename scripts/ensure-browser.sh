#!/usr/bin/env bash
# Installs Debian's Chromium, which the report page's browser tests drive with Playwright (Playwright cannot download
# its own browsers here), when it is missing. Quiet unless the install fails.
set -euo pipefail
source "$(dirname "$0")/lib/quiet-install.sh"

if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
apt_install chromium
