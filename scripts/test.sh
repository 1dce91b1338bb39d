#!/usr/bin/env bash
# The one test command (README): lint, unit tests with coverage (80 % of src/'s lines at least),
# a check that dist/ is built from src/, then the real-engine tests on the current Engine and
# Compose (what GitHub's runners have) and, at the same time on an engine of its own, the smoke
# subset on the oldest versions the README promises: the engine tests mostly wait, so the two runs
# share the machine's two cores well. Prints each part's time.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
times=()
part() {
  local name=$1 t
  t=$(date +%s)
  shift
  "$@"
  times+=("$name $(($(date +%s) - t)) s")
}
part lint npm run lint
part unit npx jest --selectProjects unit --coverage
part dist bash scripts/check-dist.sh
# Both need the machine's engine and the images first; set up once, before they run side by side.
part setup bash -c 'bash scripts/ensure-docker.sh && bash scripts/build-test-images.sh && bash images/build.sh'
e2e() {
  local log
  log=$(mktemp)
  bash scripts/test-e2e.sh oldest >"$log" 2>&1 &
  local oldest=$!
  local current=0 old=0
  bash scripts/test-e2e.sh current || current=$?
  wait "$oldest" || old=$?
  echo "== smoke run on the oldest versions (output kept until the current run ended):"
  cat "$log"
  rm -f "$log"
  [ "$current" = 0 ] && [ "$old" = 0 ]
}
part e2e e2e
echo "== times: $(IFS=,; echo "${times[*]}" | sed 's/,/, /g')"
