#!/usr/bin/env bash
# Makes sure what the tests and the demo need is there: a Docker engine that answers, the Docker
# CLI with Compose v2 and buildx, a static busybox for the small test images, iptables for the
# engines the tests start, and sshd (the remote-engine tests run one in a network namespace of
# their own; the package's service is never started).
#
# Where an engine answers already (GitHub's runners: Engine 28 running, user in the docker group),
# it is used as it is. Where none does, this machine gets what the hosted runners have: Debian
# unstable's Engine 28 (scripts/lib/engine.sh), started on the default socket. Compose and buildx
# come from the same suite where the CLI has no Compose of the supported versions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/engine.sh"

need=()
engine_answers() { docker info >/dev/null 2>&1; }
# The static build only: a dynamic busybox does not run in a FROM-scratch image.
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  # No service may start from a package installed here (openssh-server's sshd on port 22).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt_install "${need[@]}"
fi

# The CLI: the machine's, else Debian unstable's.
if ! command -v docker >/dev/null 2>&1; then
  cli=$(mktemp -d)
  debian_unpack sid "$cli" docker-cli
  as_root install -m 0755 "$cli/usr/bin/docker" /usr/local/bin/docker
  rm -rf "$cli"
fi

# Compose v2 of a supported version, and buildx (compose builds through it, as on the runners).
minimum=$(sed -n "s/^export const MINIMUM_COMPOSE = '\(.*\)';/\1/p" "$here/../src/compose/compose-version.ts")
# `sort -V` orders versions (2.26.1 before 2.26.1-4 before 2.40.3): supported when the minimum comes first.
supported() {
  local have
  have=$(docker compose version --short 2>/dev/null) || return 1
  have=${have#v}
  case "$have" in [0-9]*) ;; *) return 1 ;; esac
  [ "$(printf '%s\n' "$minimum" "$have" | sort -V | head -1)" = "$minimum" ]
}
if ! supported || ! docker buildx version >/dev/null 2>&1; then
  plugins=$(ec_plugins_dir current "${EC_CURRENT_COMPOSE[@]}")
  # This user's plugin folder, as `docker compose` looks there first; an empty DOCKER_CONFIG then
  # shows the CLI without compose (the bad-environment tests).
  target=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
  mkdir -p "$target"
  cp "$plugins"/cli-plugins/* "$target/"
  supported || { echo "ensure-docker: 'docker compose' is still not Compose $minimum or newer (is a plugin in ${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins older?)" >&2; exit 1; }
fi

engine_answers && exit 0

engine=$(ec_engine_dir current "${EC_CURRENT_ENGINE[@]}")
# A dockerd that was killed leaves its pid file behind, and the next one refuses to start.
if [ -f /var/run/docker.pid ] && ! as_root kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  as_root rm -f /var/run/docker.pid
fi
log=/var/log/ephemeral-compose-dockerd.log
echo "ensure-docker: starting $("$engine/bin/dockerd" --version) (log: $log)"
# Its own containerd, runc and docker-init come first on its PATH.
as_root sh -c "PATH='$engine/bin':\"\$PATH\" nohup '$engine/bin/dockerd' >$log 2>&1 &"
ec_wait_engine unix:///var/run/docker.sock "$log"
