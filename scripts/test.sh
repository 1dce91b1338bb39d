#!/usr/bin/env bash
# The one test command (README): lint, unit tests with coverage (85 % of src/'s lines at least),
# a check that dist/ is built from src/, then the real-engine tests on the current Engine and
# Compose (what GitHub's runners have), the Swarm tests on a swarm of UML nodes, and the smoke
# subset on the oldest versions the README promises, on an engine of its own. One after the other: run side by side on two cores, the
# tests' short readiness timeouts were missed. Prints each part's time and how busy the cores were.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
times=()
started=$(date +%s)
# Each part's time, also when one fails (the parts before it and how long it ran).
report() {
  local rc=$?
  [ "$rc" -eq 0 ] || times+=("${current:-?} failed after $(($(date +%s) - ${t:-$started})) s")
  echo "== times: $(IFS=,; echo "${times[*]}" | sed 's/,/, /g'); total $(($(date +%s) - started)) s"
}
trap report EXIT
# The cores' busy share while a part ran (from /proc/stat): a part near 100 % is bound by CPU, and
# only less work or more cores makes it shorter.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat 2>/dev/null || echo "0 0"; }
part() {
  current=$1
  t=$(date +%s)
  shift
  read -r busy0 idle0 < <(cpu_ticks)
  "$@"
  read -r busy1 idle1 < <(cpu_ticks)
  local all=$((busy1 - busy0 + idle1 - idle0)) share=''
  if [ "$all" -gt 0 ]; then share=" (CPU $((100 * (busy1 - busy0) / all)) % busy)"; fi
  times+=("$current $(($(date +%s) - t)) s$share")
}
part lint npm run lint
# Jest's default is a worker fewer than the cores (one on two): the unit tests are pure CPU, so a
# worker per core and one more finishes them in about two thirds of the time.
part unit npx jest --selectProjects unit --coverage --maxWorkers=$(($(nproc) + 1))
part dist bash scripts/check-dist.sh
part e2e-current bash scripts/test-e2e.sh current
part e2e-swarm bash scripts/test-e2e.sh swarm
part e2e-oldest bash scripts/test-e2e.sh oldest
