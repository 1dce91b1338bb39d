#!/usr/bin/env bash
# The README's demo: the founding data-pipeline stack (examples/data-pipeline/offline: MariaDB,
# Airflow webserver and scheduler stand-ins, myapp), brought up by the action's dist/ through the
# runner-faithful harness, its outputs used by a "next step" (query the rows myapp wrote, fetch the
# webserver page), then torn down by the post step. Sets up Docker and builds the local images on
# first use (about two minutes); afterwards it takes seconds. Exits non-zero if any of it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/ensure-docker.sh
bash images/build.sh
example=examples/data-pipeline
exec node harness/run-action.js \
  --workspace "$example/offline" \
  --input build=true \
  --next "docker run --rm --network host -v \"\$PWD/..:/example:ro\" ephemeral-compose-test/debian-data python3 /example/query.py \"\$OUTPUT_DB_URL\" \"\$OUTPUT_WEBSERVER_URL\""
