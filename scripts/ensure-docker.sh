#!/usr/bin/env bash
# Makes sure a Docker engine answers: where none does, installs Debian's docker.io and
# docker-compose (Compose v1) and starts dockerd as root. Does nothing where one already answers.
set -euo pipefail

if docker info >/dev/null 2>&1 && { [ "$(id -u)" != 0 ] || dpkg -s busybox-static >/dev/null 2>&1; }; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "ensure-docker: no Docker engine answers and this is not root; start one, or run as root." >&2
  exit 1
fi

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "ensure-docker: installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A dockerd that was killed leaves its pid file behind, and the next one refuses to start.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi
if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "ensure-docker: starting dockerd (log: /var/log/ephemeral-compose-dockerd.log)"
  nohup dockerd >/var/log/ephemeral-compose-dockerd.log 2>&1 &
fi
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 0.5
done
echo "ensure-docker: dockerd did not answer within 60 s; its log ends with:" >&2
tail -20 /var/log/ephemeral-compose-dockerd.log >&2 || true
exit 1
