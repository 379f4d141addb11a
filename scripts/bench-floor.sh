#!/usr/bin/env bash
# The bash floor for `npm run bench`: the same lab as nslab builds (netns, veth born in the
# namespace, address, route), with ip -batch: one batch for all host-side work, one
# `ip -n NS -batch` per container, 4 in flight. Run inside a throw-away namespace.
# Prints {"create": ms per container, "remove": ms per container}.
set -euo pipefail
N=${1:-200}
ip link add nbfloor type bridge; ip link set nbfloor up
ip addr add 10.241.0.1/16 dev nbfloor
now() { date +%s%N; }
t0=$(now)
{
  for i in $(seq 0 $((N-1))); do echo "netns add nbf$i"; done
  for i in $(seq 0 $((N-1))); do echo "link add nvf$i master nbfloor up type veth peer name eth0 netns nbf$i"; done
} | ip -batch -
seq 0 $((N-1)) | xargs -P4 -I{} bash -c 'i={}; printf "link set lo up\naddr add 10.241.%d.%d/16 dev eth0\nlink set eth0 up\nroute add default via 10.241.0.1 dev eth0\n" $(( (i+2)/250 )) $(( (i+2)%250 + 2 )) | ip -n nbf$i -batch -'
t1=$(now)
for i in $(seq 0 $((N-1))); do echo "netns del nbf$i"; done | ip -batch -
while ip -o link show type veth | grep -q nvf; do sleep 0.01; done
t2=$(now)
ip link del nbfloor
awk -v a="$t0" -v b="$t1" -v c="$t2" -v n="$N" 'BEGIN { printf "{\"create\": %.3f, \"remove\": %.3f}\n", (b-a)/n/1e6, (c-b)/n/1e6 }'
