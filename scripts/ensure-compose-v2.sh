#!/usr/bin/env bash
# Prints a DOCKER_CONFIG directory in which `docker compose` is Compose v2, so v2 (what GitHub's
# runners have) can be tested beside Compose v1 without replacing it. Where the Docker CLI already
# has the v2 plugin (GitHub's runners), that is the user's own config directory and nothing is
# fetched. Debian 12 ships only v1; Debian 13's docker-compose package is v2, a static Go binary
# that runs on Debian 12: it is downloaded from the machine's own apt mirror once and kept.
set -euo pipefail

is_v2() { case "$(DOCKER_CONFIG=$1 docker compose version --short 2>/dev/null)" in v2.* | 2.*) return 0 ;; *) return 1 ;; esac; }
own=${DOCKER_CONFIG:-$HOME/.docker}
if is_v2 "$own"; then
  echo "$own"
  exit 0
fi
# The machine's copy (made by root), else this user's own.
shared=/var/cache/ephemeral-compose/compose-v2
if [ -z "${EC_COMPOSE_V2_DIR:-}" ] && [ "$(id -u)" != 0 ] && [ -x "$shared/cli-plugins/docker-compose" ] && is_v2 "$shared"; then
  echo "$shared"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then dir=$shared; else dir=${XDG_CACHE_HOME:-$HOME/.cache}/ephemeral-compose/compose-v2; fi
dir=${EC_COMPOSE_V2_DIR:-$dir}
if [ -x "$dir/cli-plugins/docker-compose" ] && is_v2 "$dir"; then
  echo "$dir"
  exit 0
fi

mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "ensure-compose-v2: no Debian mirror found in the apt sources" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" >"$work/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$work/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache")
# As root apt drops to its _apt user, which cannot write this private directory.
[ "$(id -u)" != 0 ] || apt_opts+=(-o APT::Sandbox::User=root)
echo "ensure-compose-v2: fetching Debian 13's docker-compose (Compose v2) from $mirror" >&2
apt-get "${apt_opts[@]}" update -qq >&2
(cd "$work" && apt-get "${apt_opts[@]}" download docker-compose >&2)
dpkg-deb -x "$work"/docker-compose_*.deb "$work/root"
mkdir -p "$dir/cli-plugins"
install -m 0755 "$work/root/usr/libexec/docker/cli-plugins/docker-compose" "$dir/cli-plugins/docker-compose"
version=$(DOCKER_CONFIG=$dir docker compose version --short)
case "$version" in
  2.*) echo "ensure-compose-v2: Compose $version in $dir/cli-plugins" >&2 ;;
  *) echo "ensure-compose-v2: expected Compose v2, got '$version'" >&2; exit 1 ;;
esac
echo "$dir"
