#!/usr/bin/env bash
# The one test command (README): lint, unit tests with coverage (80 % of src/'s lines at least),
# a check that dist/ is built from src/, then the real-engine tests twice: with Compose v1
# (`docker-compose`) and with Compose v2 (`docker compose`, what GitHub's runners have). The
# engine runs set up Docker and the test images themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run lint
npx jest --selectProjects unit --coverage
bash scripts/check-dist.sh
bash scripts/test-e2e.sh v1
bash scripts/test-e2e.sh v2
