#!/usr/bin/env bash
# Draws docs/diagram.svg, README's example picture: a 2-network, 6-container lab made by nslab
# (one port published) beside the seed lab typed by hand, in throw-away namespaces. It re-runs
# itself in a private mount namespace with /run/netns and /etc/netns on tmpfs, so nothing it makes
# is seen by (or collides with) anything else on the machine, and a fake "host" namespace wired
# to a fake "internet" (198.51.100.0/24) stands in for the VM. Needs root and a build (npm run build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != --inside ]; then exec unshare --mount --propagation private "$0" --inside; fi
mount -t tmpfs tmpfs /run/netns
mount -t tmpfs tmpfs /etc/netns
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat > "$work/lab.yaml" <<'LAB'
networks:
  web: {subnet: 10.10.1.0/24}
  db: {subnet: 10.10.2.0/24}
containers:
  web1: {network: web, ports: ["8080:80/tcp"]}
  web2: {network: web}
  web3: {network: web}
  db1: {network: db}
  db2: {network: db}
  db3: {network: db}
LAB
ip netns add host; ip netns add internet
ip -n host link set lo up
ip -n host link add eth0 type veth peer name eth0 netns internet
ip -n host addr add 198.51.100.10/24 dev eth0; ip -n host link set eth0 up
ip -n internet addr add 198.51.100.1/24 dev eth0; ip -n internet link set eth0 up
ip -n host route add default via 198.51.100.1
onhost() { nsenter --net=/run/netns/host "$@"; }
nslab() { onhost node dist/nslab.js --state-dir "$work/state" --socket "$work/nslabd.sock" "$@"; }
nslab up "$work/lab.yaml" >/dev/null
# The seed lab (README), typed by hand: drawn too, marked as not nslab's.
onhost ip link add br0 type bridge; onhost ip addr add 10.201.0.1/24 dev br0; onhost ip link set br0 up
ip netns add container4
onhost ip link add brid4 type veth peer name veth4 netns container4
onhost ip link set brid4 master br0 up
ip -n container4 addr add 10.201.0.4/24 dev veth4; ip -n container4 link set veth4 up; ip -n container4 link set lo up
ip -n container4 route add default via 10.201.0.1
onhost iptables -t nat -A POSTROUTING -s 10.201.0.0/24 -j MASQUERADE
nslab diagram --format svg -o docs/diagram.svg
nslab diagram
nslab reset >/dev/null
ip netns del container4; ip netns del internet; ip netns del host
