#!/usr/bin/env bash
# Installs what the local rehearsal of the deployment needs (podman with runc, debootstrap, a registry, skopeo) when
# it is missing, and writes the podman configuration this kind of sandbox needs (crun cannot start containers here).
# Prints the CONTAINERS_CONF path to export on stdout. The install is quiet unless it fails.
set -euo pipefail
source "$(dirname "$0")/lib/quiet-install.sh"

missing=()
for tool in podman debootstrap docker-registry skopeo runc; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  apt_install podman debootstrap docker-registry skopeo runc
  # The Debian package starts a registry service of its own on :5000; the rehearsal runs its own on loopback.
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo service docker-registry stop >/dev/null 2>&1 || true
fi

config_dir=${XDG_CONFIG_HOME:-$HOME/.config}/sparkify
mkdir -p "$config_dir"
cat > "$config_dir/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
echo "$config_dir/containers.conf"
