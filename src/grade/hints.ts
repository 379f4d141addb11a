// The shell lines a hint names: plain ip, iptables and sysctl commands, in the student's interface names.

/** A command run inside container `ns` (what the student types: ip netns exec). */
export const inNs = (ns: string, cmd: string): string => `ip netns exec ${ns} ${cmd}`;

/** Join the commands of one fix into one line a shell runs in order. */
export const steps = (...cmds: Array<string | false | undefined>): string => cmds.filter((c): c is string => !!c).join('; ');

export const addAddrCmd = (dev: string, cidr: string, brd: string, ns?: string): string => {
  const c = `ip addr add ${cidr} brd ${brd} dev ${dev}`;
  return ns ? inNs(ns, c) : c;
};

export const delAddrCmd = (dev: string, cidr: string, ns?: string): string => {
  const c = `ip addr del ${cidr} dev ${dev}`;
  return ns ? inNs(ns, c) : c;
};

export const linkUpCmd = (dev: string, ns?: string): string => (ns ? inNs(ns, `ip link set dev ${dev} up`) : `ip link set dev ${dev} up`);

export const defaultRouteCmd = (ns: string, gateway: string, verb: 'add' | 'replace' = 'add', dev?: string): string =>
  inNs(ns, `ip route ${verb} default via ${gateway}${dev ? ` dev ${dev}` : ''}`);

export const masqueradeCmd = (subnet: string, bridge: string): string => `iptables -t nat -A POSTROUTING -s ${subnet} ! -o ${bridge} -j MASQUERADE`;

/** A file under /etc/netns/NAME written with the given lines (the shell's redirection: run it as root). */
export const writeFileCmd = (path: string, lines: readonly string[], append = false): string =>
  `mkdir -p ${path.slice(0, path.lastIndexOf('/'))} && printf '${lines.map((l) => `${l}\\n`).join('')}' ${append ? '>>' : '>'} ${path}`;

/** A veth pair, one end inside `ns` with the address, the other on the host joining bridge `master` (the seed's steps). */
export function vethPairCmds(o: { ns: string; host: string; inside: string; master: string; cidr: string; brd: string; gateway?: string }): string {
  return steps(
    `ip link add ${o.host} type veth peer name ${o.inside} netns ${o.ns}`,
    addAddrCmd(o.inside, o.cidr, o.brd, o.ns),
    linkUpCmd(o.inside, o.ns),
    `ip link set ${o.host} master ${o.master}`,
    linkUpCmd(o.host),
    o.gateway && defaultRouteCmd(o.ns, o.gateway),
  );
}
