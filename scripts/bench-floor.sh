#!/usr/bin/env bash
# The bash floor for `npm run bench`: the same lab as nslab builds (netns, veth born in the
# namespace, address, route), with ip -batch: one batch for all host-side work, one
# `ip -n NS -batch` per container, 4 in flight. Run inside a throw-away namespace.
# First S containers one at a time (two ip processes each), then N in bulk.
# Prints {"single": ms per container, "create": ms per container, "remove": ms per container}.
set -euo pipefail
N=${1:-200}
S=${2:-20}
export P=${3:-}   # prefix of the namespace names (machine-wide; the xargs workers read it)
ip link add nbfloor type bridge; ip link set nbfloor up
ip addr add 10.241.0.1/16 dev nbfloor
now() { date +%s%N; }
gone() { while ip -o link show type veth | grep -q "$1"; do sleep 0.01; done; }
ts=$(now)
for i in $(seq 0 $((S-1))); do
  printf "netns add %snbs%d\nlink add nvs%d master nbfloor up type veth peer name eth0 netns %snbs%d\n" "$P" "$i" "$i" "$P" "$i" | ip -batch -
  printf "link set lo up\naddr add 10.241.255.%d/16 dev eth0\nlink set eth0 up\nroute add default via 10.241.0.1 dev eth0\n" $((i+2)) | ip -n "${P}nbs$i" -batch -
done
te=$(now)
for i in $(seq 0 $((S-1))); do echo "netns del ${P}nbs$i"; done | ip -batch -
gone nvs
t0=$(now)
{
  for i in $(seq 0 $((N-1))); do echo "netns add ${P}nbf$i"; done
  for i in $(seq 0 $((N-1))); do echo "link add nvf$i master nbfloor up type veth peer name eth0 netns ${P}nbf$i"; done
} | ip -batch -
seq 0 $((N-1)) | xargs -P4 -I{} bash -c 'i={}; printf "link set lo up\naddr add 10.241.%d.%d/16 dev eth0\nlink set eth0 up\nroute add default via 10.241.0.1 dev eth0\n" $(( (i+2)/250 )) $(( (i+2)%250 + 2 )) | ip -n ${P}nbf$i -batch -'
t1=$(now)
for i in $(seq 0 $((N-1))); do echo "netns del ${P}nbf$i"; done | ip -batch -
gone nvf
t2=$(now)
ip link del nbfloor
awk -v s="$ts" -v e="$te" -v k="$S" -v a="$t0" -v b="$t1" -v c="$t2" -v n="$N" \
  'BEGIN { printf "{\"single\": %.3f, \"create\": %.3f, \"remove\": %.3f}\n", (e-s)/k/1e6, (b-a)/n/1e6, (c-b)/n/1e6 }'
