#!/usr/bin/env bash
# The test registry of the cold-runner bench and tests: Debian's docker-registry (distribution
# 2.8), unpacked once per machine, and the cold bench's images pushed once per machine into its
# storage. The registry itself is started per test run in a network namespace of the run's own,
# behind a rate-limited link (harness/registry-bed.js).
#
#   scripts/registry.sh binary   prints the registry binary's path (unpacked where missing)
#   scripts/registry.sh images   pushes the bench's images where missing; prints the storage folder
#
# The images (incompressible layers, so their sizes are what a pull moves), on the test busybox:
#   ec-cold/db:1       ~150 MB, its port 3306 opens 4 s after start (a database's first start)
#   ec-cold/web:1      ~400 MB, serves HTTP on 8080 at once (two services use it)
#   ec-cold/oneshot:1  ~100 MB, a one-shot that exits 0
# and, for the real-engine tests (small, so the suite stays short):
#   ec-cold/small-db:1   ~8 MB, its port 5432 opens 1 s after start
#   ec-cold/small-web:1  ~40 MB, serves HTTP on 8080 at once
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/as-root.sh"
. "$here/lib/debian.sh"

dir=/usr/local/lib/ephemeral-compose/registry
storage=/var/lib/ephemeral-compose/registry
binary=$dir/usr/bin/docker-registry

ensure_binary() {
  [ -x "$binary" ] && return 0
  local root
  root=$(mktemp -d)
  debian_unpack bookworm "$root" docker-registry >&2 || { rm -rf "$root"; return 1; }
  as_root mkdir -p "$dir"
  as_root cp -a "$root/." "$dir/"
  rm -rf "$root"
}

# A registry on loopback over the storage folder, for the pushes; its PID.
serve_loopback() {
  local port=$1 config
  config=$(mktemp)
  printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$storage" "$port" >"$config"
  "$binary" serve "$config" >/dev/null 2>&1 &
  echo $!
}

push_images() {
  local recipe marker
  recipe=$(sha256sum "$here/registry.sh" | cut -c1-12)
  marker=$storage/images-$recipe
  [ -f "$marker" ] && return 0
  bash "$here/build-test-images.sh"
  # A new recipe replaces the images (and the old ones' blobs) rather than adding to them.
  as_root rm -rf "$storage"
  as_root mkdir -p "$storage"
  local port=$((20000 + RANDOM % 20000)) pid ctx
  pid=$(serve_loopback "$port")
  ctx=$(mktemp -d)
  trap 'kill "$pid" 2>/dev/null || true; rm -rf "$ctx"' RETURN
  for i in $(seq 1 50); do curl -fsS "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
  # name size-in-MB command
  local specs=(
    "db 150 sleep 4; exec nc -ll -p 3306 -e cat"
    "web 400 mkdir -p /www; echo ok >/www/index.html; exec httpd -f -p 8080 -h /www"
    "oneshot 100 echo migrated"
    "small-db 8 sleep 1; exec nc -ll -p 5432 -e cat"
    "small-web 40 mkdir -p /www; echo ok >/www/index.html; exec httpd -f -p 8080 -h /www"
  )
  local spec name size cmd
  for spec in "${specs[@]}"; do
    read -r name size cmd <<<"$spec"
    rm -rf "${ctx:?}"/*
    # Random bytes: no compression shrinks what a pull moves.
    head -c "${size}M" /dev/urandom >"$ctx/payload"
    printf 'FROM ephemeral-compose-test/busybox\nCOPY payload /payload\nCMD ["sh", "-c", "%s"]\n' "$cmd" >"$ctx/Dockerfile"
    echo "registry: building and pushing ec-cold/$name:1 (${size} MB)" >&2
    DOCKER_BUILDKIT=0 docker build -q -t "127.0.0.1:$port/ec-cold/$name:1" "$ctx" >"$ctx/build.log" 2>&1 || { cat "$ctx/build.log" >&2; return 1; }
    docker push -q "127.0.0.1:$port/ec-cold/$name:1" >/dev/null
    docker rmi -f "127.0.0.1:$port/ec-cold/$name:1" >/dev/null
  done
  as_root touch "$marker"
}

case "${1:-}" in
  binary) ensure_binary && echo "$binary" ;;
  images) ensure_binary && push_images && echo "$storage" ;;
  *)
    echo "usage: scripts/registry.sh binary|images" >&2
    exit 2
    ;;
esac
