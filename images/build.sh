#!/usr/bin/env bash
# Builds the Debian-based images for the data-pipeline example and the MariaDB tests, offline:
# a minimal Debian root made by debootstrap from this machine's own apt mirror, imported with
# `docker import`, plus our entrypoint scripts. Built once per machine; a recipe label tells when
# this folder changed and the image must be rebuilt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/lib/as-root.sh"
. "$here/../scripts/lib/debian.sh"
image=ephemeral-compose-test/debian-data:latest
recipe=$(cat "$here/build.sh" "$here"/debian-data/* | sha256sum | cut -c1-12)
if [ "$(docker image inspect -f '{{index .Config.Labels "recipe"}}' "$image" 2>/dev/null || true)" = "$recipe" ]; then
  exit 0
fi
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || apt_install debootstrap

mirror=$(debian_mirror)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")

# The Debian root depends only on the suite and the packages: entrypoint changes do not redo it.
packages=mariadb-server,mariadb-client,python3,python3-pymysql
base=ephemeral-compose-test/debian-base:$(echo "$suite $packages" | sha256sum | cut -c1-12)
if ! docker image inspect "$base" >/dev/null 2>&1; then
  root=$(mktemp -d /var/tmp/ec-rootfs.XXXXXX)
  trap 'as_root rm -rf "$root"' EXIT
  echo "images/build.sh: debootstrap $suite from the machine's mirror (about a minute)"
  # debootstrap, and reading the root it made, need root (through sudo where this is not root).
  log=$(mktemp /var/tmp/ec-debootstrap.XXXXXX.log)
  as_root env PATH="$PATH:/usr/sbin:/sbin" debootstrap --variant=minbase --include="$packages" \
    "$suite" "$root" "$mirror" >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
  as_root sh -c 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' sh "$root"
  as_root tar -C "$root" -c . | docker import - "$base" >/dev/null
fi
DOCKER_BUILDKIT=0 docker build -q --build-arg BASE="$base" --label recipe="$recipe" -t "$image" "$here/debian-data" >/dev/null
echo "images/build.sh: built $image"
