#!/usr/bin/env bash
# Builds the small local images the engine tests use (no registry is reachable): FROM scratch
# plus Debian's static busybox. Built once per machine; rebuilt only when this recipe changes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
image=ephemeral-compose-test/busybox:latest
# Debian's busybox-static (ensure-docker.sh installs it); a dynamic busybox would not run FROM scratch.
busybox=/bin/busybox
recipe=$(sha256sum "$here/build-test-images.sh" | cut -c1-12)
if [ "$(docker image inspect -f '{{index .Config.Labels "recipe"}}' "$image" 2>/dev/null || true)" = "$recipe" ]; then
  exit 0
fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$busybox" "$ctx/busybox"
cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "mkdir", "-p", "/usr/bin", "/sbin", "/usr/sbin", "/tmp", "/etc", "/www"]
RUN ["/bin/busybox", "--install", "-s"]
RUN echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'root:x:0:' > /etc/group && chmod 1777 /tmp
LABEL recipe=$recipe
# Ends at once when stopped, as real images do on SIGTERM: busybox as PID 1 ignores SIGTERM, and
# every teardown would wait out the stop timeout. Fixtures that test that wait set stop_signal.
STOPSIGNAL SIGKILL
CMD ["sh"]
DOCKERFILE
echo "build-test-images: building $image"
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >/dev/null
