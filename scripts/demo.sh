#!/usr/bin/env bash
# The README's demo: sets up Docker where needed, builds the local images once, runs the action's
# dist/ through the runner-faithful harness on the example stack, uses its outputs in a "next
# step", and tears the stack down in the post step. Exits non-zero if any of that fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
exec node harness/run-action.js \
  --workspace examples/quickstart \
  --next 'node -e "fetch(process.env.OUTPUT_WEB_URL).then((r) => r.text()).then((t) => console.log(\"web answers:\", t.trim()))"; echo "db listens at: $OUTPUT_DB_URL"'
