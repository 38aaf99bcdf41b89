#!/usr/bin/env bash
# Makes sure PostgreSQL server binaries (initdb, postgres, pg_ctl) are installed; installs them from apt if not.
# Prints the bin directory on stdout. The install is quiet unless it fails.
set -euo pipefail
source "$(dirname "$0")/lib/quiet-install.sh"

find_bin() {
  if [[ -n "${SPARKIFY_PG_BIN:-}" && -x "$SPARKIFY_PG_BIN/initdb" ]]; then
    echo "$SPARKIFY_PG_BIN"
    return 0
  fi
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$bin" && -x "$bin/initdb" ]]; then
    echo "$bin"
    return 0
  fi
  return 1
}

if ! find_bin; then
  echo "PostgreSQL server binaries not found." >&2
  apt_install postgresql
  # The Debian package starts a cluster service of its own; this project runs its own servers instead.
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo service postgresql stop >/dev/null 2>&1 || true
  find_bin || { echo "error: postgresql installed but initdb still not found" >&2; exit 1; }
fi
