#!/usr/bin/env bash
# A base image for the product's images made on this machine, for rehearsing the deployment where no public container
# registry is reachable: a minimal Debian bookworm (debootstrap) with the libraries a self-contained .NET app needs and
# the non-root user "app" (uid/gid 1654), as in Microsoft's runtime-deps image. Pushes it to REGISTRY and prints its
# reference. The image is cached (podman's store, and a tarball under SPARKIFY_CACHE_DIR, default
# /var/cache/sparkify as root or ~/.cache/sparkify): only the first run takes the ~40 s of debootstrap.
#
#   scripts/local-base-image.sh REGISTRY      (a registry on loopback, e.g. 127.0.0.1:5000)
#
# Needs root, podman, debootstrap (scripts/ensure-container-tools.sh installs them) and CONTAINERS_CONF set as that script says.
set -euo pipefail

registry=${1:?usage: local-base-image.sh REGISTRY}
packages=ca-certificates,libicu72,libssl3,tzdata,zlib1g
# The recipe is the tag: a change to it makes a new image.
recipe="bookworm minbase $packages app:1654 v1"
tag="bookworm-$(echo -n "$recipe" | sha256sum | cut -c1-12)"
name="localhost/sparkify-base:$tag"
cache=${SPARKIFY_CACHE_DIR:-$([[ $(id -u) -eq 0 ]] && echo /var/cache/sparkify || echo "${XDG_CACHE_HOME:-$HOME/.cache}/sparkify")}
tarball="$cache/sparkify-base-$tag.tar"

if ! podman image exists "$name"; then
  if [[ -f $tarball ]]; then
    podman load -q -i "$tarball" >&2
  else
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    mirror=${mirror:-http://deb.debian.org/debian}
    rootfs=$(mktemp -d)
    trap 'rm -rf "$rootfs"' EXIT
    echo "Making the base image $name with debootstrap from $mirror (once)..." >&2
    debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror" >/dev/null
    chroot "$rootfs" groupadd -g 1654 app
    chroot "$rootfs" useradd -u 1654 -g 1654 -M -d /home/app -s /usr/sbin/nologin app
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | podman import -q --change 'ENV APP_UID=1654' - "$name" >&2
    mkdir -p "$cache"
    podman save -q -o "$tarball.partial" "$name" && mv "$tarball.partial" "$tarball"
  fi
fi
podman push -q --tls-verify=false "$name" "$registry/sparkify-base:$tag" >&2
echo "$registry/sparkify-base:$tag"
