#!/usr/bin/env bash
# The one test command (README): unit tests, a check that dist/ is built from src/ (check-dist.sh), then the
# real-engine tests, which set up Docker and the test images themselves (the Debian image for the
# data-pipeline example takes about a minute and a half the first time on a machine). The engine
# suite runs twice: with Compose v1 (`docker-compose`, Debian 12's) and with Compose v2
# (`docker compose`, what GitHub's runners have).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx jest --selectProjects unit
bash scripts/check-dist.sh
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
bash images/build.sh
v2_config=$(bash scripts/ensure-compose-v2.sh)

echo "== real-engine tests with Compose v1 (docker-compose)"
# An empty DOCKER_CONFIG hides any compose plugin, so detection falls back to docker-compose.
v1_config=$(mktemp -d)
trap 'rm -rf "$v1_config"' EXIT
DOCKER_CONFIG=$v1_config EC_EXPECT_COMPOSE=v1 npx jest --selectProjects e2e --runInBand

echo "== real-engine tests with Compose v2 (docker compose)"
DOCKER_CONFIG=$v2_config EC_EXPECT_COMPOSE=v2 npx jest --selectProjects e2e --runInBand
