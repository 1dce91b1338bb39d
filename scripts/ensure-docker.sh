#!/usr/bin/env bash
# Makes sure what the tests and the demo need is there: a Docker engine that answers, Compose v1
# (`docker-compose`, tested beside v2), a static busybox for the small test images, and sshd (the
# remote-engine tests run one in a network namespace of their own; the package's service is never
# started). Does nothing where all of it is already there; installs with apt and starts dockerd
# only where it must, as root or through sudo (GitHub's runners: Docker running, user in the
# docker group).
set -euo pipefail
. "$(dirname "$0")/lib/as-root.sh"

need=()
engine_answers() { docker info >/dev/null 2>&1; }
if ! engine_answers; then
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
fi
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
# The static build only: a dynamic busybox does not run in a FROM-scratch image.
{ [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || need+=(busybox-static)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
if [ ${#need[@]} -eq 0 ] && engine_answers; then
  exit 0
fi
if [ ${#need[@]} -gt 0 ]; then
  # No service may start from a package installed here (openssh-server's sshd on port 22).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt_install "${need[@]}"
fi
engine_answers && exit 0

# A dockerd that was killed leaves its pid file behind, and the next one refuses to start.
if [ -f /var/run/docker.pid ] && ! as_root kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  as_root rm -f /var/run/docker.pid
fi
log=/var/log/ephemeral-compose-dockerd.log
if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "ensure-docker: starting dockerd (log: $log)"
  as_root sh -c "nohup dockerd >$log 2>&1 &"
fi
for _ in $(seq 1 120); do
  engine_answers && exit 0
  sleep 0.5
done
echo "ensure-docker: the Docker engine did not answer within 60 s (is this user allowed to use its socket?); dockerd's log ends with:" >&2
as_root tail -20 "$log" >&2 || true
exit 1
