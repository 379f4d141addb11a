#!/usr/bin/env bash
# The bash floor of `npm run bench`: the kernel objects `nslab up` builds for one network and N
# containers, written the fastest honest way in bash. Run inside a throw-away "host" namespace.
#   up N PREFIX [DIR]      bridge nslab-bench (MAC, alias, IPv6 off, 10.240.0.1/16), nslab's
#                          iptables chains and rules (one iptables-restore), per container PREFIXfI:
#                          netns, veth born with its peer as eth0 inside, master bridge up, lo up,
#                          IPv6 off on eth0, address, eth0 up, default route, /etc/netns/NAME files
#                          (resolv.conf with the gateway first; hosts naming the other containers).
#                          One ip -batch for host-side work, one ip -n NS -batch per container
#                          (4 in flight); files and sysctls written by bash builtins where it can.
#   down N PREFIX [DIR]    the reverse: namespaces and bridge in one ip -batch, chains in one
#                          iptables-restore, /etc/netns dirs in one rm, all three at once.
#   single S PREFIX [DIR]  the network, then S containers one at a time (the per-container work of
#                          up: two ip processes and the files, and the earlier containers' hosts files
#                          rewritten with its name); prints the ms of each, then removes all.
# DIR is a scratch directory for the batch files; the bench makes it and removes it outside the
# timing. Without it the script makes its own and removes it on exit.
set -euo pipefail
MODE=${1:-} N=${2:-} P=${3:-} DIR=${4:-}
if [[ ! $MODE =~ ^(up|down|single)$ || ! $N =~ ^[0-9]+$ || ! $P =~ ^[a-z][a-z0-9-]*$ ]]; then
  echo "usage: $0 up|down|single N PREFIX [DIR]" >&2
  exit 2
fi
if [[ -z $DIR ]]; then
  DIR=$(mktemp -d)
  trap 'rm -rf "$DIR"' EXIT
fi
BR=nslab-bench LAB=b3ac4f10

# Container I: name, address and MAC as nslab's IPAM gives them on 10.240.0.0/16 (gateway .0.1).
name() { NAME=${P}f$1; local h=$(($1 + 2)); IP=10.240.$((h >> 8)).$((h & 255)); printf -v MAC '02:42:0a:f0:%02x:%02x' $((h >> 8)) $((h & 255)); }

ORDER=() # container numbers 0..N-1 in nslab's order of their names (compared as strings): one sort, once
order() { for ((i = 0; i < N; i++)); do echo "$i"; done >"$DIR/order"; mapfile -t ORDER < <(LC_ALL=C sort "$DIR/order"); }
peers() { # PEERS: the "IP<tab>NAME" lines of containers 0..$1-1, in that order
  PEERS=''
  local i
  for i in "${ORDER[@]}"; do ((i < $1)) && { name "$i"; PEERS+="$IP"$'\t'"$NAME"$'\n'; }; done
  return 0
}
files() { # /etc/netns/NAME/{resolv.conf,hosts} of container $1 (its directory exists), with the others of PEERS
  name "$1"
  local head="# nslab: managed by nslab for container $NAME (host net:[0], lab $LAB)" own
  printf '%s\nnameserver 10.240.0.1\nnameserver 10.255.255.53\nsearch nslab.internal\n' "$head" >"/etc/netns/$NAME/resolv.conf"
  own="$IP"$'\t'"$NAME"$'\n'
  local others=${PEERS/"$own"/}
  printf '%s\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n# this container\n%s%s' \
    "$head" "$own" "${others:+# containers on its networks (names resolve even while nslabd is not running)$'\n'$others}" >"/etc/netns/$NAME/hosts"
}
host_lines() { # the host-side lines of container $1 (its namespace, its veth)
  name "$1"
  echo "netns add $NAME"
  echo "link add nv-$NAME-0 mtu 1500 master $BR up type veth peer name eth0 mtu 1500 address $MAC netns $NAME"
  echo "link set nv-$NAME-0 alias nslab:$LAB:endpoint:$NAME:eth0"
  echo "link set nv-$NAME-0 addrgenmode none"
}
ns_batch() { # the batch run inside container $1's namespace, into DIR/NAME
  name "$1"
  printf 'link set lo up\nnetns exec %s sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1\naddr add %s/16 brd 10.240.255.255 dev eth0\nlink set eth0 up\nroute add default via 10.240.0.1 dev eth0\n' \
    "$NAME" "$IP" >"$DIR/$NAME"
}
bridge() {
  ip -batch - <<<"link add $BR address 02:42:0a:f0:00:01 mtu 1500 up type bridge
link set $BR alias nslab:$LAB:network:bench"
  echo 1 >/proc/sys/net/ipv6/conf/$BR/disable_ipv6
}
C="-m comment --comment nslab:$LAB:net=bench"
RULES="*raw
:NSLAB-PREROUTING - [0:0]
-I PREROUTING 1 -m comment --comment nslab -j NSLAB-PREROUTING
-A NSLAB-PREROUTING ! -s 10.240.0.0/16 -i $BR $C -j DROP
COMMIT
*nat
:NSLAB-POSTROUTING - [0:0]
-I POSTROUTING 1 -m comment --comment nslab -j NSLAB-POSTROUTING
-A NSLAB-POSTROUTING -s 10.240.0.0/16 ! -o $BR $C -j MASQUERADE
COMMIT
*filter
:NSLAB-FORWARD - [0:0]
:NSLAB-ISOLATION-1 - [0:0]
:NSLAB-ISOLATION-2 - [0:0]
:NSLAB-USER - [0:0]
-I FORWARD 1 -m comment --comment nslab -j NSLAB-FORWARD
-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-USER
-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-ISOLATION-1
-A NSLAB-ISOLATION-1 -i $BR ! -o $BR $C -j NSLAB-ISOLATION-2
-A NSLAB-ISOLATION-2 -o $BR $C -j DROP
-A NSLAB-FORWARD -o $BR -m conntrack --ctstate RELATED,ESTABLISHED $C -j ACCEPT
-A NSLAB-FORWARD -i $BR ! -o $BR $C -j ACCEPT
-A NSLAB-FORWARD -i $BR -o $BR $C -j ACCEPT
:NSLAB-INPUT - [0:0]
-I INPUT 1 -m comment --comment nslab -j NSLAB-INPUT
-A NSLAB-INPUT -d 10.240.0.1/32 -i $BR -p udp -m udp --dport 53 $C -j ACCEPT
-A NSLAB-INPUT -d 10.240.0.1/32 -i $BR -p tcp -m tcp --dport 53 $C -j ACCEPT
COMMIT"
UNRULES="*raw
-D PREROUTING -m comment --comment nslab -j NSLAB-PREROUTING
-F NSLAB-PREROUTING
-X NSLAB-PREROUTING
COMMIT
*nat
-D POSTROUTING -m comment --comment nslab -j NSLAB-POSTROUTING
-F NSLAB-POSTROUTING
-X NSLAB-POSTROUTING
COMMIT
*filter
-D FORWARD -m comment --comment nslab -j NSLAB-FORWARD
-D INPUT -m comment --comment nslab -j NSLAB-INPUT
-F NSLAB-INPUT
-X NSLAB-INPUT
-F NSLAB-FORWARD
-F NSLAB-ISOLATION-1
-F NSLAB-ISOLATION-2
-F NSLAB-USER
-X NSLAB-FORWARD
-X NSLAB-ISOLATION-1
-X NSLAB-ISOLATION-2
-X NSLAB-USER
COMMIT"
etc_dirs() { ETC=(); for ((i = 0; i < $1; i++)); do ETC+=("/etc/netns/${P}f$i"); done; }
# Lists go to files and background jobs are single commands: every pipe stage or $(…) would be
# one more fork, which is what this floor is about.
case $MODE in
up)
  etc_dirs "$N"
  mkdir -p "${ETC[@]}"
  {
    echo "addr add 10.240.0.1/16 brd 10.240.255.255 dev $BR"
    for ((i = 0; i < N; i++)); do host_lines $i; done
  } >"$DIR/host"
  order
  peers "$N"
  for ((i = 0; i < N; i++)); do files $i; ns_batch $i; echo "$NAME"; done >"$DIR/names"
  iptables-restore --wait --noflush <<<"$RULES" & r=$!
  bridge
  ip -batch "$DIR/host"
  xargs -P4 -I{} ip -n {} -batch "$DIR/{}" <"$DIR/names"
  wait $r
  ;;
down)
  etc_dirs "$N"
  { for ((i = 0; i < N; i++)); do echo "netns del ${P}f$i"; done; echo "link del $BR"; } >"$DIR/down"
  ip -batch "$DIR/down" & a=$!
  iptables-restore --wait --noflush <<<"$UNRULES" & b=$!
  rm -rf "${ETC[@]}"
  wait $a; wait $b
  ;;
single)
  iptables-restore --wait --noflush <<<"$RULES"
  bridge
  ip addr add 10.240.0.1/16 brd 10.240.255.255 dev $BR
  ms=()
  order
  for ((i = 0; i < N; i++)); do
    t0=${EPOCHREALTIME/./}
    host_lines $i >"$DIR/host"
    ip -batch "$DIR/host"
    ns_batch $i
    ip -n "$NAME" -batch "$DIR/$NAME"
    mkdir -p "/etc/netns/$NAME"
    # As nslab does: the new container's files, and the hosts files of those before it learn its name.
    peers $((i + 1))
    for ((j = 0; j <= i; j++)); do files $j; done
    t1=${EPOCHREALTIME/./}
    printf -v f '%d.%03d' $(((t1 - t0) / 1000)) $(((t1 - t0) % 1000))
    ms+=("$f")
  done
  echo "${ms[*]}"
  bash "$0" down "$N" "$P" "$DIR"
  ;;
esac
