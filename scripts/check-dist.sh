#!/usr/bin/env bash
# The action runs dist/, not src/: a dist/ that was not rebuilt after a change ships old code.
# Builds into a temporary folder with the same command as `npm run build` and compares.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
stale=()
entries=(main post preview artifact)
# The builds are independent: side by side they take the time of the longest.
pids=()
for entry in "${entries[@]}"; do
  npx ncc build "src/action/entry-$entry.ts" -o "$out/$entry" --target es2022 --no-source-map-register --license licenses.txt --transpile-only --quiet &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for entry in "${entries[@]}"; do
  for f in index.js licenses.txt; do
    if ! cmp -s "$out/$entry/$f" "dist/$entry/$f"; then stale+=("dist/$entry/$f"); fi
  done
done
if [ ${#stale[@]} -gt 0 ]; then
  echo "check-dist: stale: ${stale[*]}. Run 'npm run build' and commit dist/." >&2
  exit 1
fi
echo "check-dist: dist/ is what 'npm run build' makes from src/"
