// Grading one network: the bridge is the link holding the gateway address, whatever its name;
// then its prefix, the name the file gives (if any), its state, and the subnet's MASQUERADE.
import type { NetworkSpec } from '../engine/inputs.js';
import { bigToIp, broadcastOf, contains, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import { fail, pass, type Finding } from './finding.js';
import { addAddrCmd, delAddrCmd, linkUpCmd, masqueradeCmd, steps } from './hints.js';
import { findForward, findMasquerade } from './nat.js';
import { ipv4In, isUpLink, linkOf, type KernelView } from './view.js';

/** What the containers' checks need to know of a graded network. */
export interface NetFacts {
  name: string;
  subnet?: Cidr4;
  gateway?: string;
  /** The bridge found for it (by the gateway address, else by the file's name): the master of its containers' host ends; undefined when none is usable. */
  master?: string;
  /** With no usable bridge: the name its fix makes one under (a container's fix then joins it). */
  planned?: string;
}

/** The network's subnet and gateway: from the file, else from the bridge it names, else from a fixed container address. */
function locate(spec: NetworkSpec, asked: string | undefined, addresses: readonly string[], view: KernelView): { subnet?: Cidr4; gateway?: string } {
  if (spec.subnet) return { subnet: spec.subnet, gateway: spec.gateway ?? bigToIp(spec.subnet.first + 1n) };
  const held = ipv4In(view.host);
  const onBridge = asked ? held.find((a) => a.ifname === asked) : undefined;
  const around = onBridge ?? held.find((a) => addresses.some((ip) => sameNet(a.local, a.prefixlen, ip)));
  if (!around) return {};
  const subnet = subnetOf(around.local, around.prefixlen);
  return { subnet, gateway: around.local };
}

/** The subnet `ip/prefix` lies in. */
function subnetOf(ip: string, prefix: number): Cidr4 | undefined {
  const mask = prefix === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n);
  const n = ip.split('.').reduce((a, b) => (a << 8n) + BigInt(b), 0n) & mask;
  const c = parseCidr4(`${bigToIp(n)}/${prefix}`);
  return typeof c === 'string' ? undefined : c;
}

const sameNet = (ip: string, prefix: number, other: string) => {
  const s = subnetOf(ip, prefix);
  return !!s && contains(s, other);
};

/** A bridge name to suggest when the student made none (the file's, else one that fits IFNAMSIZ). */
const suggestedBridge = (name: string, asked: string | undefined) => asked ?? `br-${name}`.slice(0, 15);

/**
 * Grade network `spec` against the kernel. `addresses`: the fixed addresses of its containers
 * (to find a network the file gives no subnet). Pure.
 */
export function gradeNetwork(spec: NetworkSpec, mtuGiven: boolean, addresses: readonly string[], view: KernelView): { findings: Finding[]; facts: NetFacts } {
  const object = `network ${spec.name}`;
  // The bridge's name the lab file asks for (the request side, as `--bridge`), if any.
  const asked = spec.bridge;
  const { subnet, gateway } = locate(spec, asked, addresses, view);
  if (!subnet || !gateway) {
    return {
      findings: [fail(object, 'bridge', 'a bridge holds the gateway', `the file gives no subnet, and no ${asked ? `bridge ${asked}` : 'bridge holding a container\'s address'} was found`, 'give the network a subnet: in the lab file')],
      facts: { name: spec.name },
    };
  }
  const want = `${gateway}/${subnet.prefix}`;
  const brd = broadcastOf(subnet);
  const findings: Finding[] = [];
  const holder = ipv4In(view.host).find((a) => a.local === gateway);
  let bridge: string | undefined;
  if (holder) {
    const link = linkOf(view.host, holder.ifname);
    if (link?.linkinfo?.info_kind !== 'bridge') {
      const br = suggestedBridge(spec.name, asked);
      findings.push(fail(object, 'bridge', `a bridge holds ${want}`, `${holder.ifname} holds it, and it is a ${link?.linkinfo?.info_kind ?? 'device'}, not a bridge`,
        steps(delAddrCmd(holder.ifname, `${gateway}/${holder.prefixlen}`), `ip link add ${br} type bridge`, linkUpCmd(br), addAddrCmd(br, want, brd))));
      return { findings, facts: { name: spec.name, subnet, gateway, planned: br } };
    }
    bridge = holder.ifname;
    findings.push(holder.prefixlen === subnet.prefix
      ? pass(object, 'bridge', `a bridge holds ${want}`, bridge)
      : fail(object, 'bridge', `a bridge holds ${want}`, `${bridge} holds ${gateway}/${holder.prefixlen}`, steps(delAddrCmd(bridge, `${gateway}/${holder.prefixlen}`), addAddrCmd(bridge, want, brd))));
  } else {
    const named = asked ? linkOf(view.host, asked) : undefined;
    if (named?.linkinfo?.info_kind === 'bridge') {
      bridge = named.ifname;
      findings.push(fail(object, 'bridge', `a bridge holds ${want}`, `bridge ${bridge} holds no ${gateway}`, addAddrCmd(bridge, want, brd)));
    } else {
      const br = suggestedBridge(spec.name, asked);
      findings.push(fail(object, 'bridge', `a bridge holds ${want}`, `no link holds ${gateway}`,
        steps(`ip link add ${br} type bridge`, linkUpCmd(br), addAddrCmd(br, want, brd))));
      return { findings, facts: { name: spec.name, subnet, gateway, planned: br } };
    }
  }
  // The file's name is the one the student was asked for; nslab's own default names never are.
  if (asked) {
    findings.push(bridge === asked
      ? pass(object, 'bridge-name', `the bridge is named ${asked}`, bridge)
      : fail(object, 'bridge-name', `the bridge is named ${asked}`, `it is named ${bridge}`,
        steps(`ip link set dev ${bridge} down`, `ip link set dev ${bridge} name ${asked}`, linkUpCmd(asked))));
  }
  const link = linkOf(view.host, bridge)!;
  findings.push(isUpLink(link) ? pass(object, 'bridge-up', `${bridge} is up`, 'up') : fail(object, 'bridge-up', `${bridge} is up`, 'down', linkUpCmd(bridge)));
  if (mtuGiven) {
    findings.push(link.mtu === spec.mtu ? pass(object, 'mtu', `${bridge} has MTU ${spec.mtu}`, String(link.mtu))
      : fail(object, 'mtu', `${bridge} has MTU ${spec.mtu}`, String(link.mtu), `ip link set dev ${bridge} mtu ${spec.mtu}`));
  }
  findings.push(forward(object, bridge, view));
  if (spec.masquerade) findings.push(masquerade(object, subnet, bridge, view));
  return { findings, facts: { name: spec.name, subnet, gateway, master: bridge } };
}

function masquerade(object: string, subnet: Cidr4, bridge: string, view: KernelView): Finding {
  const check = `nat POSTROUTING masquerades ${subnet.text}`;
  if ('error' in view.nat) return fail(object, 'masquerade', check, `the nat table cannot be read: ${view.nat.error}`, 'apt-get install iptables');
  const rule = findMasquerade(view.nat.text, subnet, bridge);
  return rule ? pass(object, 'masquerade', check, rule) : fail(object, 'masquerade', check, `no MASQUERADE rule for ${subnet.text}`, masqueradeCmd(subnet.text, bridge));
}

function forward(object: string, bridge: string, view: KernelView): Finding {
  const check = `filter FORWARD accepts traffic from ${bridge}`;
  if ('error' in view.filter) return fail(object, 'forward', check, `the filter table cannot be read: ${view.filter.error}`, 'apt-get install iptables');
  const how = findForward(view.filter.text, bridge);
  return how ? pass(object, 'forward', check, how) : fail(object, 'forward', check, 'policy DROP and no ACCEPT rule for it', 'iptables --policy FORWARD ACCEPT');
}
