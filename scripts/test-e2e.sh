#!/usr/bin/env bash
# The real-engine tests (run serially) with one Compose version: v1 (`docker-compose`, Debian's)
# or v2 (`docker compose`, what GitHub's runners have). Sets up Docker and the test images first
# (the Debian image for the data-pipeline example takes about a minute and a half the first time
# on a machine). Extra arguments go to jest, e.g. a test file.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/test-e2e.sh v1|v2 [jest arguments]}
shift
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
bash images/build.sh
case "$version" in
  v1)
    # An empty DOCKER_CONFIG hides any compose plugin, so detection falls back to docker-compose.
    config=$(mktemp -d)
    trap 'rm -rf "$config"' EXIT
    ;;
  v2) config=$(bash scripts/ensure-compose-v2.sh) ;;
  *) echo "test-e2e: unknown Compose version '$version' (v1 or v2)" >&2; exit 2 ;;
esac
echo "== real-engine tests with Compose $version"
DOCKER_CONFIG=$config EC_EXPECT_COMPOSE=$version npx jest --selectProjects e2e --runInBand "$@"
