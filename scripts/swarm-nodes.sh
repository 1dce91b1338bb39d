#!/usr/bin/env bash
# Swarm test nodes (issue: deploy to a Docker Swarm): User-Mode Linux machines, each running its
# own Docker Engine, in a network namespace of the caller's own. This machine's kernel has no IPVS,
# which Swarm's service VIPs and ingress mesh need; a UML kernel built with it gives a real mesh.
# See ../shared/design/swarm-test-nodes.md for what was measured and why each option is set.
#
#   scripts/swarm-nodes.sh kernel   prints the UML kernel's path, built once per machine (~5 min)
#   scripts/swarm-nodes.sh image    prints the nodes' base disk (Debian unstable: Engine 28), made
#                                   once per machine
#   scripts/swarm-nodes.sh up ID [N [SLOT]]
#                                   boots N nodes (3) in network namespace ec-swarm-ID, at
#                                   10.210.SLOT.11 and on, reached from here; prints their addresses
#   scripts/swarm-nodes.sh swarm ID [SLOT [N]]
#                                   makes them a swarm (node1 the manager); prints its DOCKER_HOST
#   scripts/swarm-nodes.sh down ID [SLOT]
#                                   ends them and removes every trace
#
# Both are kept under /usr/local/lib/ephemeral-compose/uml. Needs root (or passwordless sudo).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/as-root.sh"
. "$here/lib/debian.sh"

UML=/usr/local/lib/ephemeral-compose/uml
# The kernel's source: Debian unstable's (older UML kernels crash on this CPU's AVX-512 state).
KERNEL_PACKAGE=linux-source-7.2

# Built in (=y), nothing as modules: a node has no module tree to load from.
KERNEL_OPTIONS=(
  SYSVIPC POSIX_MQUEUE CGROUPS MEMCG CGROUP_SCHED FAIR_GROUP_SCHED CFS_BANDWIDTH CGROUP_PIDS
  CGROUP_FREEZER CGROUP_DEVICE CGROUP_CPUACCT BLK_CGROUP CGROUP_BPF BPF_SYSCALL CGROUP_NET_PRIO
  CGROUP_NET_CLASSID NAMESPACES UTS_NS IPC_NS USER_NS PID_NS NET_NS TIME_NS FHANDLE INOTIFY_USER
  FANOTIFY SIGNALFD TIMERFD EVENTFD EPOLL AIO KEYS SECCOMP SECCOMP_FILTER IKCONFIG IKCONFIG_PROC
  EXT4_FS EXT4_FS_POSIX_ACL EXT4_FS_SECURITY OVERLAY_FS TMPFS TMPFS_POSIX_ACL TMPFS_XATTR DEVTMPFS
  DEVTMPFS_MOUNT AUTOFS_FS HOSTFS BLK_DEV_UBD BLK_DEV_LOOP
  UML_NET_VECTOR TUN NULL_CHAN SSL UML_RANDOM
  IPV6 BRIDGE BRIDGE_NETFILTER VLAN_8021Q BRIDGE_VLAN_FILTERING VETH VXLAN DUMMY MACVLAN IPVLAN
  XFRM_USER INET_ESP IP_ADVANCED_ROUTER IP_MULTIPLE_TABLES
  NETFILTER NETFILTER_ADVANCED NF_CONNTRACK NF_CT_NETLINK NF_NAT NF_NAT_MASQUERADE NF_NAT_REDIRECT
  NETFILTER_XTABLES NETFILTER_XTABLES_LEGACY
  NF_TABLES NF_TABLES_INET NF_TABLES_IPV4 NF_TABLES_IPV6 NF_TABLES_BRIDGE NFT_CT NFT_NAT NFT_MASQ
  NFT_REDIR NFT_COMPAT NFT_REJECT NFT_FIB_INET NFT_FIB_IPV4 NFT_FIB_IPV6
  IP_NF_IPTABLES_LEGACY IP_NF_IPTABLES IP_NF_FILTER IP_NF_NAT IP_NF_TARGET_MASQUERADE
  IP_NF_TARGET_REDIRECT IP_NF_MANGLE IP_NF_RAW
  IP6_NF_IPTABLES_LEGACY IP6_NF_IPTABLES IP6_NF_FILTER IP6_NF_NAT IP6_NF_TARGET_MASQUERADE IP6_NF_MANGLE IP6_NF_RAW
  BRIDGE_NF_EBTABLES BRIDGE_NF_EBTABLES_LEGACY
  NETFILTER_XT_MATCH_ADDRTYPE NETFILTER_XT_MATCH_CONNTRACK NETFILTER_XT_MATCH_STATE
  NETFILTER_XT_MATCH_MARK NETFILTER_XT_TARGET_MARK NETFILTER_XT_MARK NETFILTER_XT_CONNMARK
  NETFILTER_XT_MATCH_CONNMARK NETFILTER_XT_TARGET_CONNMARK NETFILTER_XT_MATCH_COMMENT
  NETFILTER_XT_MATCH_MULTIPORT NETFILTER_XT_MATCH_IPVS NETFILTER_XT_MATCH_IPRANGE
  NETFILTER_XT_MATCH_PHYSDEV NETFILTER_XT_MATCH_U32 NETFILTER_XT_MATCH_BPF NETFILTER_XT_MATCH_POLICY
  NETFILTER_XT_TARGET_MASQUERADE NETFILTER_XT_TARGET_REDIRECT NETFILTER_XT_NAT
  NETFILTER_XT_TARGET_CHECKSUM NETFILTER_XT_TARGET_LOG
  IP_VS IP_VS_IPV6 IP_VS_PROTO_TCP IP_VS_PROTO_UDP IP_VS_RR IP_VS_WRR IP_VS_NFCT
)
# Options 7.x moved or renamed quietly: checked after olddefconfig (it drops what it cannot set).
KERNEL_MUST=(IP_NF_FILTER IP_NF_NAT NF_TABLES_IPV4 IP_VS NETFILTER_XT_MATCH_IPVS VXLAN BRIDGE OVERLAY_FS PID_NS IPV6 UML_NET_VECTOR)

# In a subshell of its own, so its cleanup trap is its own.
kernel() (
  out=$UML/linux
  [ -x "$out" ] && { echo "$out"; exit 0; }
  need=()
  for p in build-essential bc bison flex libelf-dev libssl-dev xz-utils cpio kmod; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  debian_unpack sid "$work/pkg" "$KERNEL_PACKAGE"
  tar -xf "$work"/pkg/usr/src/linux-source-*.tar.xz -C "$work"
  src=$(echo "$work"/linux-source-*/)
  (
    cd "$src"
    make -s ARCH=um defconfig
    args=()
    for o in "${KERNEL_OPTIONS[@]}"; do args+=(--enable "$o"); done
    scripts/config "${args[@]}" --disable SYSFS_DEPRECATED --disable DEBUG_INFO --enable DEBUG_INFO_NONE
    make -s ARCH=um olddefconfig
    missing=()
    for o in "${KERNEL_MUST[@]}"; do grep -qx "CONFIG_$o=y" .config || missing+=("$o"); done
    [ ${#missing[@]} -eq 0 ] || { echo "swarm-nodes: the kernel's configuration lacks ${missing[*]}" >&2; exit 1; }
    echo "swarm-nodes: building the UML kernel ($KERNEL_PACKAGE, $(nproc) cores; a few minutes)" >&2
    make -s ARCH=um -j"$(nproc)" linux >&2
  )
  as_root mkdir -p "$UML"
  as_root install -m 0755 "$src/linux" "$out.new"
  as_root mv "$out.new" "$out"
  echo "$out"
)

# The node's first process: mounts what dockerd needs, brings up the network the kernel's command
# line names (ec.ip, ec.gw, ec.name), starts dockerd on tcp :2375 and its socket with its address
# pool (ec.pool), and waits.
NODE_INIT='#!/bin/sh
# The kernel starts init with no PATH; dockerd finds docker-proxy, containerd and runc on it.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /sys/fs/cgroup
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
for kv in $(cat /proc/cmdline); do
  case "$kv" in ec.ip=*) ip=${kv#ec.ip=} ;; ec.gw=*) gw=${kv#ec.gw=} ;; ec.name=*) name=${kv#ec.name=} ;; ec.pool=*) pool=${kv#ec.pool=} ;; esac
done
hostname "$name"
echo "127.0.0.1 localhost $name" > /etc/hosts
ip link set lo up
ip addr add "$ip" dev vec0
ip link set vec0 up
ip route add default via "$gw"
echo "nameserver $gw" > /etc/resolv.conf
DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 dockerd -H tcp://0.0.0.0:2375 --tls=false -H unix:///run/docker.sock --default-address-pool "base=$pool,size=24" >/dev/console 2>&1 &
echo "ec-node $name: dockerd started"
while :; do sleep 3600; done
'

image() (
  out=$UML/base.ext4
  [ -f "$out" ] && { echo "$out"; exit 0; }
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
  work=$(mktemp -d)
  trap 'as_root rm -rf "$work"' EXIT
  mirror=$(debian_mirror)
  echo "swarm-nodes: making the nodes' Debian unstable root (Engine 28; a few minutes)" >&2
  as_root debootstrap --variant=minbase --include=docker.io,iproute2,iptables,busybox-static,procps,ca-certificates sid "$work/root" "$mirror" >&2
  printf '%s' "$NODE_INIT" | as_root tee "$work/root/sbin/ec-node-init" >/dev/null
  as_root chmod 0755 "$work/root/sbin/ec-node-init"
  # Initialised now, not lazily by each node (whose disk driver lacks the write-zeroes it would use).
  as_root mkfs.ext4 -q -E lazy_itable_init=0,lazy_journal_init=0 -d "$work/root" "$work/base.ext4" 3G
  as_root mkdir -p "$UML"
  as_root mv "$work/base.ext4" "$out"
  echo "$out"
)

# Address pools inside the nodes (their bridges, swarm's overlays and ingress): routed
# `unreachable` on this side, so nothing here can reach, or probe, a container address.
NODE_POOL=10.213.0.0/16
SWARM_POOL=10.212.0.0/16

# up ID COUNT SLOT: boots COUNT nodes in the network namespace ec-swarm-ID, on a bridge there
# (10.210.SLOT.1, their gateway); node N answers at 10.210.SLOT.(10+N), its engine on :2375 without
# TLS. This side reaches them through a veth pair (10.211.SLOT.1 here, .2 there) and a route; the
# namespace forwards between the two. Disks are copy-on-write layers over the base image, RAM files
# in /dev/shm. Prints the nodes' addresses.
up() {
  local id=$1 count=$2 slot=$3 kernel base ns dir i
  kernel=$(kernel)
  base=$(image)
  ns=ec-swarm-$id
  dir=/dev/shm/ec-swarm-$id
  local net=10.210.$slot here=ecs$id
  here=${here:0:13}
  down "$id" "$slot" 2>/dev/null || true
  as_root ip netns add "$ns"
  as_root ip -n "$ns" link set lo up
  as_root ip -n "$ns" link add br0 type bridge
  as_root ip -n "$ns" addr add "$net.1/24" dev br0
  as_root ip -n "$ns" link set br0 up
  as_root ip link add "${here}a" type veth peer name "${here}b"
  as_root ip link set "${here}b" netns "$ns"
  as_root ip addr add "10.211.$slot.1/30" dev "${here}a"
  as_root ip link set "${here}a" up
  as_root ip -n "$ns" addr add "10.211.$slot.2/30" dev "${here}b"
  as_root ip -n "$ns" link set "${here}b" up
  as_root ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
  as_root ip route replace "$net.0/24" via "10.211.$slot.2"
  as_root ip route replace unreachable "$NODE_POOL"
  as_root ip route replace unreachable "$SWARM_POOL"
  as_root mkdir -p "$dir"
  for i in $(seq 1 "$count"); do
    as_root ip -n "$ns" tuntap add "tap$i" mode tap
    as_root ip -n "$ns" link set "tap$i" master br0 up
    as_root sh -c "TMPDIR='$dir' nsenter --net=/run/netns/$ns '$kernel' mem=640M seccomp=on ubd0='$dir/node$i.cow,$base' root=/dev/ubda rw \
      init=/sbin/ec-node-init vec0:transport=tap,ifname=tap$i ec.ip=$net.$((10 + i))/24 ec.gw=$net.1 ec.name=node$i ec.pool=$NODE_POOL \
      con=null con0=null,fd:1 >'$dir/node$i.log' 2>&1 </dev/null & echo \$! >'$dir/node$i.pid'"
  done
  for i in $(seq 1 "$count"); do
    local t
    for t in $(seq 1 120); do
      docker -H "tcp://$net.$((10 + i)):2375" version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
      [ "$t" -lt 120 ] || { echo "swarm-nodes: node$i did not answer within 120 s; its console:" >&2; tail -20 "$dir/node$i.log" >&2; return 1; }
      sleep 1
    done
    echo "$net.$((10 + i))"
  done
}

# swarm ID SLOT COUNT: node1 becomes the manager (overlays from SWARM_POOL), the others join as
# workers; each node gets the test images (swarm is told never to ask a registry).
swarm() {
  local slot=$2 count=$3 net=10.210.$2 token i
  docker -H "tcp://$net.11:2375" swarm init --advertise-addr "$net.11" --default-addr-pool "$SWARM_POOL" >/dev/null
  token=$(docker -H "tcp://$net.11:2375" swarm join-token -q worker)
  for i in $(seq 2 "$count"); do docker -H "tcp://$net.$((10 + i)):2375" swarm join --token "$token" "$net.11:2377" >/dev/null; done
  for i in $(seq 1 "$count"); do docker save ephemeral-compose-test/busybox | docker -H "tcp://$net.$((10 + i)):2375" load -q >/dev/null; done
  echo "tcp://$net.11:2375"
}

# down ID SLOT: ends the nodes (by the PIDs their start wrote) and removes the namespace, the link,
# the route and the disks.
down() {
  local id=$1 slot=$2 dir=/dev/shm/ec-swarm-$1 f here=ecs$1
  here=${here:0:13}
  for f in "$dir"/node*.pid; do
    [ -f "$f" ] && as_root kill -9 "$(cat "$f")" 2>/dev/null || true
  done
  as_root ip link del "${here}a" 2>/dev/null || true
  as_root ip route del "10.210.$slot.0/24" 2>/dev/null || true
  as_root ip netns del "ec-swarm-$id" 2>/dev/null || true
  as_root rm -rf "$dir"
  # The pools' routes go with the last bed.
  if ! ip netns list | grep -q '^ec-swarm-'; then
    as_root ip route del unreachable "$NODE_POOL" 2>/dev/null || true
    as_root ip route del unreachable "$SWARM_POOL" 2>/dev/null || true
  fi
}

case "${1:-}" in
  kernel) kernel ;;
  image) image ;;
  up) up "${2:?an id}" "${3:-3}" "${4:-1}" ;;
  swarm) swarm "${2:?an id}" "${3:-1}" "${4:-3}" ;;
  down) down "${2:?an id}" "${3:-1}" ;;
  *)
    echo "usage: $0 kernel | image | up ID [COUNT [SLOT]] | swarm ID [SLOT [COUNT]] | down ID [SLOT]" >&2
    exit 2
    ;;
esac
