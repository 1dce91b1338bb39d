#!/usr/bin/env bash
# `npm run lint`: ESLint, Prettier, the type check and the README's generated tables. They read
# the same files and change nothing, so they run side by side; each one's output is shown, and
# the lint fails if any of them does.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
names=(eslint prettier tsc readme-tables)
commands=(
  'npx eslint .'
  'npx prettier --check .'
  'npx tsc --noEmit'
  'node scripts/readme-tables.js --check README.md docs/previews.md'
)
pids=()
for i in "${!names[@]}"; do
  bash -c "${commands[$i]}" >"$out/${names[$i]}" 2>&1 &
  pids+=($!)
done
failed=()
for i in "${!names[@]}"; do
  if ! wait "${pids[$i]}"; then failed+=("${names[$i]}"); fi
done
for i in "${!names[@]}"; do
  if [ -s "$out/${names[$i]}" ]; then
    echo "== ${names[$i]}"
    cat "$out/${names[$i]}"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "lint: failed: ${failed[*]}" >&2
  exit 1
fi
echo "lint: eslint, prettier, tsc and the README's tables are clean"
