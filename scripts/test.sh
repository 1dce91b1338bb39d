#!/usr/bin/env bash
# The one test command (README): lint, unit tests with coverage (85 % of src/'s lines at least),
# a check that dist/ is built from src/, then the real-engine tests on the current Engine and
# Compose (what GitHub's runners have) and the smoke subset on the oldest versions the README
# promises, on an engine of its own. Prints each part's time.
#
# Lint, unit and dist read the tree and change nothing; alone none of them keeps both cores busy,
# so they run side by side, each one's output shown when it ends. The real-engine runs go one
# after the other: side by side on two cores, the tests' short readiness timeouts were missed.
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
part() {
  current=$1
  t=$(date +%s)
  shift
  "$@"
  times+=("$current $(($(date +%s) - t)) s")
}

# The side-by-side parts: each to a file of its own, shown with its time once it ends.
out=$(mktemp -d)
names=(lint unit dist)
commands=('npm run lint' 'npx jest --selectProjects unit --coverage' 'bash scripts/check-dist.sh')
pids=()
current='lint, unit, dist'
t=$(date +%s)
for i in "${!names[@]}"; do
  (
    s=$(date +%s)
    rc=0
    bash -c "${commands[$i]}" >"$out/${names[$i]}.log" 2>&1 || rc=$?
    echo "$(($(date +%s) - s))" >"$out/${names[$i]}.time"
    exit "$rc"
  ) &
  pids+=($!)
done
failed=()
for i in "${!names[@]}"; do
  if ! wait "${pids[$i]}"; then failed+=("${names[$i]}"); fi
  echo "== ${names[$i]}"
  cat "$out/${names[$i]}.log"
  times+=("${names[$i]} $(cat "$out/${names[$i]}.time") s")
done
rm -rf "$out"
times+=("(side by side: $(($(date +%s) - t)) s)")
if [ ${#failed[@]} -gt 0 ]; then
  current="${failed[*]}"
  exit 1
fi

part e2e-current bash scripts/test-e2e.sh current
part e2e-oldest bash scripts/test-e2e.sh oldest
