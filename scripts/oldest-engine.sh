#!/usr/bin/env bash
# The oldest Engine and Compose the README promises (Debian 12's Engine 20.10, Debian 13's
# Compose 2.26), for the smoke run of the real-engine tests, beside the machine's own engine and
# never in its place.
#
#   scripts/oldest-engine.sh start   starts it (made once per machine) and prints the environment
#                                    that points docker and compose at it: DOCKER_HOST=…, DOCKER_CONFIG=…
#   scripts/oldest-engine.sh stop    stops it, by the PID it wrote, and removes its firewall rule
#
# It has its own socket, data, containerd namespace, address pool and default bridge (with none,
# dockerd deletes docker0, the machine's engine's; see also the network store below). It leaves the firewall to the machine's engine
# (--iptables=false: two daemons would rewrite each other's chains); published ports go through its
# userland proxy, and one rule in DOCKER-USER lets its containers reach each other across the
# bridge filter the machine's engine set up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/engine.sh"

run=/run/ephemeral-compose/oldest-engine
data=/var/lib/ephemeral-compose/oldest-engine
pool=10.213.0.0/16
bridge=ec-oldest0
bridge_address=10.213.255.1/24
socket=unix://$run/docker.sock
log=/var/log/ephemeral-compose-oldest-dockerd.log
rule=(DOCKER-USER -s "$pool" -d "$pool" -j ACCEPT)

case "${1:-}" in
  start)
    engine=$(ec_engine_dir oldest "${EC_OLDEST_ENGINE[@]}")
    plugins=$(ec_plugins_dir oldest "${EC_OLDEST_COMPOSE[@]}")
    if ! DOCKER_HOST=$socket docker info >/dev/null 2>&1; then
      as_root mkdir -p "$run" "$data"
      as_root rm -f "$run/dockerd.pid"
      # Its network store starts empty each time: restarted with one, Engine 20.10 deletes the
      # default bridge of the machine's engine (docker0), whatever its own bridge is called.
      as_root rm -rf "$data/network"
      if ! ip link show "$bridge" >/dev/null 2>&1; then
        as_root ip link add "$bridge" type bridge
        as_root ip addr add "$bridge_address" dev "$bridge"
        as_root ip link set "$bridge" up
      fi
      echo "oldest-engine: starting $("$engine/bin/dockerd" --version) at $socket (log: $log)" >&2
      as_root sh -c "PATH='$engine/bin':\"\$PATH\" nohup '$engine/bin/dockerd' -H '$socket' --data-root '$data' --exec-root '$run' \
        --pidfile '$run/dockerd.pid' --bridge=$bridge --iptables=false --ip6tables=false --default-address-pool base=${pool%/16}/17,size=24 \
        --containerd-namespace ec-oldest --containerd-plugins-namespace ec-oldest-plugins >$log 2>&1 &"
      ec_wait_engine "$socket" "$log"
    fi
    # Only where the machine's engine filters bridged traffic (its DOCKER-USER chain exists).
    if as_root iptables -n -L DOCKER-USER >/dev/null 2>&1; then
      as_root iptables -C "${rule[@]}" 2>/dev/null || as_root iptables -I "${rule[@]}"
    fi
    echo "DOCKER_HOST=$socket"
    echo "DOCKER_CONFIG=$plugins"
    ;;
  stop)
    if [ -f "$run/dockerd.pid" ]; then
      pid=$(cat "$run/dockerd.pid")
      as_root kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do as_root kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    as_root iptables -D "${rule[@]}" 2>/dev/null || true
    as_root ip link del "$bridge" 2>/dev/null || true
    ;;
  *)
    echo "usage: scripts/oldest-engine.sh start|stop" >&2
    exit 2
    ;;
esac
