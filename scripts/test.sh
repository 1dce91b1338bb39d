#!/usr/bin/env bash
# The one test command (README): unit tests, a check that dist/ is built from src/, then the
# real-engine tests, which set up Docker and the test images themselves (the Debian image for the
# data-pipeline example takes about a minute and a half the first time on a machine).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx jest --selectProjects unit
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
bash images/build.sh
npx jest --selectProjects e2e --runInBand
