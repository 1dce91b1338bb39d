# Sourced by the setup scripts: Docker engines and Compose plugins laid out from Debian's packages
# in folders of their own under /usr/local/lib/ephemeral-compose, so two versions can sit side by
# side and nothing of the machine's own packages changes. Needs root (through sudo where this is
# not root); each folder is made once per machine and kept.
. "$(dirname "${BASH_SOURCE[0]}")/as-root.sh"
. "$(dirname "${BASH_SOURCE[0]}")/debian.sh"

EC_LIB=/usr/local/lib/ephemeral-compose

# The engine the tests run on by default: what GitHub's hosted runners have (Engine 28); runc
# comes with the C library of its suite (see ec_engine_dir).
EC_CURRENT_ENGINE=(sid docker.io containerd runc libc6 libseccomp2)
# The oldest engine the README promises, for the smoke run: Debian 12's.
EC_OLDEST_ENGINE=(bookworm docker.io containerd runc)
# Compose and buildx as CLI plugins: the current ones, and the oldest Compose the README promises.
EC_CURRENT_COMPOSE=(sid docker-compose docker-buildx)
EC_OLDEST_COMPOSE=(trixie docker-compose docker-buildx)

# ec_engine_dir NAME SUITE PACKAGE...: prints a folder whose bin/ holds dockerd, containerd, runc,
# docker-proxy and docker-init of those packages, made where missing.
ec_engine_dir() {
  local name=$1 suite=$2
  shift 2
  local dir=$EC_LIB/engine-$name
  [ -f "$dir/complete" ] && { echo "$dir"; return 0; }
  local root
  root=$(mktemp -d)
  # tini-static from Debian 12: docker-init runs inside containers, so it must need no libraries.
  debian_unpack "$suite" "$root" "$@" >&2 && debian_unpack bookworm "$root/tini" tini >&2 || { rm -rf "$root"; return 1; }
  local bin=$root/out/bin lib=$root/out/lib
  mkdir -p "$bin" "$lib"
  cp "$root/usr/sbin/dockerd" "$root/usr/sbin/docker-proxy" "$root/usr/sbin/runc" "$root/usr/bin/containerd" "$root/usr/bin/containerd-shim-runc-v2" "$bin/" &&
    cp "$root/tini/usr/bin/tini-static" "$bin/docker-init" || { rm -rf "$root"; return 1; }
  if ! "$bin/runc" --version >/dev/null 2>&1; then
    # A newer suite's runc wants a newer glibc than the machine's: it gets that suite's own C
    # library as its interpreter (not a wrapper: runc re-executes /proc/self/exe for `runc init`).
    command -v patchelf >/dev/null 2>&1 || apt_install patchelf
    cp -L "$root"/usr/lib/x86_64-linux-gnu/{ld-linux-x86-64.so.2,libc.so.6,libseccomp.so.2} "$lib/" &&
      patchelf --set-interpreter "$dir/lib/ld-linux-x86-64.so.2" --set-rpath "$dir/lib" "$bin/runc" || { rm -rf "$root"; return 1; }
  fi
  as_root mkdir -p "$EC_LIB"
  as_root rm -rf "$dir"
  as_root cp -a "$root/out" "$dir"
  rm -rf "$root"
  "$dir/bin/runc" --version >/dev/null || { echo "$(basename "$0"): runc in $dir does not run" >&2; return 1; }
  as_root touch "$dir/complete"
  echo "$dir"
}

# ec_plugins_dir NAME SUITE PACKAGE...: prints a DOCKER_CONFIG-style folder whose cli-plugins/
# holds those packages' CLI plugins, made where missing.
ec_plugins_dir() {
  local name=$1 suite=$2
  shift 2
  local dir=$EC_LIB/plugins-$name
  [ -x "$dir/cli-plugins/docker-compose" ] && { echo "$dir"; return 0; }
  local root
  root=$(mktemp -d)
  debian_unpack "$suite" "$root" "$@" >&2 || { rm -rf "$root"; return 1; }
  as_root mkdir -p "$dir/cli-plugins"
  as_root cp "$root"/usr/libexec/docker/cli-plugins/* "$dir/cli-plugins/"
  rm -rf "$root"
  echo "$dir"
}

# ec_wait_engine HOST LOG: waits until the engine at HOST answers; on failure prints its log's end.
ec_wait_engine() {
  local i
  for i in $(seq 1 120); do
    DOCKER_HOST=$1 docker info >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$(basename "$0"): the Docker engine at $1 did not answer within 60 s; its log ends with:" >&2
  as_root tail -20 "$2" >&2 || true
  return 1
}
