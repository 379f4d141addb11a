// Plans for a bridge network: the bridge, its gateway address, forwarding and its firewall rules.
import { ConflictError } from '../errors.js';
import type { Firewall, FirewallChange, FirewallView } from '../firewall/firewall.js';
import { broadcastOf, macForIp, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import { addAddr } from '../kernel/addr.js';
import { addBridge, delLink, kindOf, setAlias, type LinkInfo } from '../kernel/link.js';
import type { HostView } from '../kernel/observe.js';
import { BRIDGE_NF_IPTABLES, modprobe, setSysctl } from '../kernel/sysctl.js';
import { ipv4Subnet } from '../state/families.js';
import type { NetworkRecord } from '../state/types.js';
import { firewallSpec } from './firewalls.js';
import { bridgeAlias, legacyBridgeAlias } from './names.js';
import { step, type Step } from './step.js';

/** IPv6's minimum link MTU (RFC 8200): below it the kernel drops a link's IPv6 state. */
export const IPV6_MIN_MTU = 1280;

/** Do the links of network `n` have an IPv6 stack at all (something to turn off)? */
export const hasIpv6Stack = (n: Pick<NetworkRecord, 'mtu'>) => n.mtu >= IPV6_MIN_MTU;

/** Is `link` the bridge of recorded network `n`: this lab's mark, or the previous release's? */
export function isOurBridge(link: LinkInfo | undefined, n: NetworkRecord): boolean {
  return !!link && kindOf(link) === 'bridge' && (link.ifalias === bridgeAlias(n.name) || link.ifalias === legacyBridgeAlias(n.name));
}

/** What the source check of a network does, in the lab's words (step, check and explain). */
export function spoofLesson(n: { bridge: string; subnet: string }): string {
  return `drop packets from ${n.bridge} whose source is not in ${n.subnet}: containers cannot spoof`;
}

/** A step for one part of a network's firewall intent, described in the lab's words. */
function firewallStep(n: NetworkRecord, c: FirewallChange): Step {
  switch (c.part) {
    case 'source-check': return step(`${n.name}/no-spoofing`, spoofLesson(firewallSpec(n)), 0, [...c.apply], [...c.revert]);
    case 'traffic': {
      const what = n.masquerade ? 'MASQUERADE traffic leaving the subnet and accept forwarding' : 'accept forwarding';
      return step(`${n.name}/firewall`, `${what} for ${ipv4Subnet(n).subnet} on ${n.bridge}`, 0, [...c.apply], [...c.revert]);
    }
    case 'old-copies': return step(`${n.name}/firewall-old`, `remove the rules of network ${n.name} that carry the previous release's comment`, 1, [...c.apply], [...c.revert]);
  }
}

/** Steps that make the network exist, skipping what is already there and ours. */
export function planNetworkCreate(n: NetworkRecord, view: HostView, live: FirewallView, fw: Firewall): Step[] {
  const steps: Step[] = [];
  const v4 = ipv4Subnet(n);
  const subnet = parseCidr4(v4.subnet) as Cidr4;
  const link = view.links.find((l) => l.ifname === n.bridge);
  if (link && !isOurBridge(link, n)) {
    throw new ConflictError(`bridge: interface ${n.bridge} already exists and is not nslab's bridge for network ${n.name}`);
  }
  if (link && link.ifalias !== bridgeAlias(n.name)) {
    steps.push(step(`${n.name}/mark`, `mark bridge ${n.bridge} as this lab's (it carries the previous release's alias)`, 0,
      [setAlias(n.bridge, bridgeAlias(n.name))]));
  }
  if (!link) {
    steps.push(step(`${n.name}/bridge`, `create bridge ${n.bridge} for network ${n.name}`, 0,
      [addBridge({ name: n.bridge, mtu: n.mtu, mac: macForIp(v4.gateway) }), setAlias(n.bridge, bridgeAlias(n.name))], [delLink(n.bridge)]));
    // IPv4-only network: no IPv6 link-local address appearing on the bridge once a port is up.
    // Below IPv6's minimum MTU the kernel keeps no IPv6 state on the link at all (no
    // net/ipv6/conf/BRIDGE to write: sysctl fails with "cannot stat"), so there is nothing to turn off.
    if (hasIpv6Stack(n)) {
      steps.push(step(`${n.name}/ipv6-off`, `disable IPv6 on bridge ${n.bridge} (an IPv4-only network)`, 0,
        [setSysctl(`net/ipv6/conf/${n.bridge}/disable_ipv6`, '1')]));
    }
  }
  const cidr = `${v4.gateway}/${subnet.prefix}`;
  const hasAddr = view.addrs.some((a) => a.ifname === n.bridge && a.addr_info.some((i) => `${i.local}/${i.prefixlen}` === cidr));
  if (!hasAddr) {
    steps.push(step(`${n.name}/gateway`, `give bridge ${n.bridge} the gateway address ${cidr}`, 0,
      [addAddr(n.bridge, cidr, broadcastOf(subnet))]));
  }
  if (view.ipForward !== '1') {
    steps.push(step('host/ip_forward', 'turn on IPv4 forwarding so the host routes between bridge and uplink', 0,
      [setSysctl('net.ipv4.ip_forward', '1')]));
  }
  const spec = firewallSpec(n);
  if (fw.needsBridgeNetfilter(spec) && view.bridgeNfIptables !== '1') {
    steps.push(step('host/br_netfilter', `pass bridged traffic through iptables (${BRIDGE_NF_IPTABLES}=1) so that ICC off on ${n.bridge} is enforced`, 0,
      [...(view.bridgeNfIptables === undefined ? [modprobe('br_netfilter')] : []), setSysctl(BRIDGE_NF_IPTABLES, '1')]));
  }
  steps.push(...fw.ensureNetwork(live, spec).map((c) => firewallStep(n, c)));
  return steps;
}

/**
 * Steps that remove the network: its rules first, then the bridge (its address goes with
 * it) — only if the bridge is ours and nothing else is enslaved to it.
 */
export function planNetworkRemove(n: NetworkRecord, view: HostView, live: FirewallView, fw: Firewall): Step[] {
  const steps: Step[] = [];
  const del = fw.removeNetwork(live, firewallSpec(n));
  if (del.length) steps.push(step(`${n.name}/firewall`, `remove the firewall rules of network ${n.name}`, 0, del));
  const link = view.links.find((l) => l.ifname === n.bridge);
  if (isOurBridge(link, n)) {
    const ports = view.links.filter((l) => l.master === n.bridge);
    if (ports.length) {
      throw new ConflictError(`network ${n.name}: bridge ${n.bridge} still has ports (${ports.map((p) => p.ifname).join(', ')}); not removing it`);
    }
    steps.push(step(`${n.name}/bridge`, `delete bridge ${n.bridge}`, 1, [delLink(n.bridge)]));
  }
  return steps;
}
