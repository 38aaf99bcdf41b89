# Sourced by the scripts that install what is missing (scripts/ensure-*.sh): an install's output (apt's progress,
# npm's) goes to a log file and is shown only when the install fails — then its last lines, where the whole log is,
# and a non-zero exit.

# quietly WHAT COMMAND [ARGUMENT...]: runs the command with its stdout and stderr in a log file.
quietly() {
  local what=$1
  shift
  local log status=0
  log=$(mktemp "${TMPDIR:-/tmp}/sparkify-install.XXXXXX")
  "$@" >"$log" 2>&1 || status=$?
  if [[ $status -ne 0 ]]; then
    echo "error: $what failed (exit code $status). Its last lines (all of it: $log):" >&2
    tail -n 40 "$log" >&2
    exit "$status"
  fi
  rm -f "$log"
}

# apt_install PACKAGE...: apt-get update, then install, as root or through sudo.
apt_install() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "error: not root and no sudo: install them yourself (apt-get install -y $*)" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "Installing $* with apt-get..." >&2
  quietly "apt-get update" $sudo apt-get update
  quietly "apt-get install $*" $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}
