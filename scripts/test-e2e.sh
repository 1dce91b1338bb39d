#!/usr/bin/env bash
# The real-engine tests.
#
#   scripts/test-e2e.sh [current] [jest arguments]   every e2e test but Swarm's, on the machine's
#                                                    engine (set up where none runs: Engine 28 and
#                                                    Compose 2.40, what GitHub's runners have)
#   scripts/test-e2e.sh swarm [jest arguments]       the Swarm tests, on a swarm of three UML nodes
#                                                    (scripts/swarm-nodes.sh), alone: beside the
#                                                    other files the nodes slowed them all
#   scripts/test-e2e.sh oldest [jest arguments]      the smoke subset (cases of foundation, readiness,
#                                                    bad input, compose fidelity, a cold engine) on the oldest Engine
#                                                    and Compose the README promises, an engine of
#                                                    its own beside the machine's
#                                                    (scripts/oldest-engine.sh)
#
# Sets up Docker and the test images first (built once per machine and engine). Extra arguments go
# to jest, e.g. a test file: scripts/test-e2e.sh current __tests__/e2e/foundation.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
target=current
case "${1:-}" in current | oldest | swarm) target=$1; shift ;; esac
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
bash images/build.sh
if [ "$target" = swarm ]; then
  # The Swarm tests' nodes: a UML kernel and a base disk, made once per machine (a fresh machine
  # takes about a quarter of an hour for both, two cores; then nothing).
  t=$(date +%s)
  bash scripts/swarm-nodes.sh kernel >/dev/null
  bash scripts/swarm-nodes.sh image >/dev/null
  echo "== swarm nodes' kernel and disk ready in $(($(date +%s) - t)) s"
fi
started=$(date +%s)
if [ "$target" = oldest ]; then
  trap 'bash scripts/oldest-engine.sh stop' EXIT
  env=$(bash scripts/oldest-engine.sh start)
  export ${env?}
  # The test images, from the machine's engine where the oldest has none of this recipe yet.
  for image in ephemeral-compose-test/busybox:latest ephemeral-compose-test/debian-data:latest; do
    want=$(DOCKER_HOST= DOCKER_CONFIG= docker image inspect -f '{{.Id}}' "$image")
    [ "$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)" = "$want" ] || DOCKER_HOST= DOCKER_CONFIG= docker save "$image" | docker load -q >/dev/null
  done
  # The smoke subset: what depends on the versions (compose's configuration and labels, the
  # engine's events, health and exit codes, cancel), not every case of the current run again.
  smoke=(
    'a three-service stack comes up in order' 'a one-shot container that exits non-zero' 'cancelled while waiting'
    'the readiness timeout names' 'comes up every time \(run 1\)' 'honours every probe kind' 'an unhealthy service fails'
    'service_completed_successfully is waited on' 'bad compose files' 'no compose, v1 or v2' 'a daemon that does not answer'
    'reads compose.yaml and its override' 'resolves a file below the root' 'takes COMPOSE_FILE and COMPOSE_PROFILES from .env'
    'pulls in the order of need'
  )
  set -- __tests__/e2e/foundation.test.ts __tests__/e2e/readiness.test.ts __tests__/e2e/bad-input.test.ts __tests__/e2e/compose-fidelity.test.ts \
    __tests__/e2e/cold-engine.test.ts \
    -t "$(IFS='|'; echo "${smoke[*]}")" "$@"
fi
# Jest's array options take every word after them: the ignore pattern goes last, so that a file
# named on the command line stays a file to run (before it, it became a second pattern to ignore).
last=()
if [ "$target" = current ]; then last=(--testPathIgnorePatterns '/swarm\.test\.ts$'); fi
if [ "$target" = swarm ]; then set -- __tests__/e2e/swarm.test.ts "$@"; fi
# Test engines of this run's workers get addresses apart from those of a run beside it.
if [ "$target" = oldest ]; then export EC_ENGINE_SLOTS_FROM=4; else export EC_ENGINE_SLOTS_FROM=0; fi
echo "== real-engine tests ($target): Engine $(docker version --format '{{.Server.Version}}'), Compose $(docker compose version --short)"
# A worker per core and one more: the files wait on containers part of the time, and the extra
# one keeps the cores busy then (three on two cores). The suite is CPU-bound, so a machine with
# more cores runs it in less time. Cases whose outcome hung on the machine's speed are written so
# it does not (a fixture that counts its own attempts, a cancel well inside the window it aims at).
# EC_E2E_WORKERS overrides.
workers=$(($(nproc) + 1))
echo "== jest workers: ${EC_E2E_WORKERS:-$workers} ($(nproc) cores)"
npx jest --selectProjects e2e --maxWorkers="${EC_E2E_WORKERS:-$workers}" "$@" "${last[@]}"
echo "== real-engine tests ($target) took $(($(date +%s) - started)) s"
