// A bridge network (Docker's default driver): its record, the bridge, its gateway, forwarding,
// its firewall rules, and how each reads when it is missing.
import { ConflictError, ValidationError } from '../../errors.js';
import type { NetworkSpec } from '../../engine/inputs.js';
import { bridgeAlias, bridgeName, legacyBridgeAlias, parseBridgeAlias } from '../../engine/names.js';
import { step, type Step } from '../../engine/step.js';
import type { FirewallChange, NetworkFirewallSpec } from '../../firewall/firewall.js';
import { broadcastOf, macForIp, parseCidr4, type Cidr4 } from '../../ipam/cidr.js';
import { addAddr, hasAddr } from '../../kernel/addr.js';
import { addBridge, delLink, isUp, kindOf, setAlias, setUp, type LinkInfo } from '../../kernel/link.js';
import type { HostView } from '../../kernel/observe.js';
import { BRIDGE_NF_IPTABLES, modprobe, setSysctl } from '../../kernel/sysctl.js';
import { ipv4Subnet } from '../../state/families.js';
import type { BridgeNetwork, NetworkBase, State } from '../../state/types.js';
import type { FirewallAt } from '../driver.js';

/** IPv6's minimum link MTU (RFC 8200): below it the kernel drops a link's IPv6 state. */
export const IPV6_MIN_MTU = 1280;

/** Do the links of network `n` have an IPv6 stack at all (something to turn off)? */
export const hasIpv6Stack = (n: Pick<BridgeNetwork, 'mtu'>) => n.mtu >= IPV6_MIN_MTU;

/** Is `link` the bridge of recorded network `n`: this lab's mark, or the previous release's? */
export function isOurBridge(link: LinkInfo | undefined, n: Pick<BridgeNetwork, 'name'>): boolean {
  return !!link && kindOf(link) === 'bridge' && (link.ifalias === bridgeAlias(n.name) || link.ifalias === legacyBridgeAlias(n.name));
}

/** What the source check of a network does, in the lab's words (step, check and explain). */
export function spoofLesson(n: { iface: string; subnet: string }): string {
  return `drop packets from ${n.iface} whose source is not in ${n.subnet}: containers cannot spoof`;
}

/** The network as its firewall backend sees it: its bridge is the interface its traffic crosses. */
export function firewallSpec(n: BridgeNetwork): NetworkFirewallSpec {
  return { name: n.name, iface: n.bridge, subnet: ipv4Subnet(n).subnet, masquerade: n.masquerade, icc: n.icc, internal: n.internal, gateway: ipv4Subnet(n).gateway };
}

/** The bridge's fields for a request: its name (a hashed one skips names held), MTU and traffic settings. */
export function resolveBridge(spec: NetworkSpec, base: NetworkBase, state: State, host: HostView): BridgeNetwork {
  const others = Object.values(state.networks).filter((n) => n.name !== spec.name);
  // A hashed name held by another network or by a link that is not this network's is skipped.
  const held = new Set([...others.map((n) => n.bridge), ...host.links.filter((l) => l.ifalias !== bridgeAlias(spec.name)).map((l) => l.ifname)]);
  const bridge = spec.bridge ?? bridgeName(spec.name, (b) => held.has(b));
  const sameBridge = others.find((n) => n.bridge === bridge);
  if (sameBridge) throw new ValidationError('bridge', `${bridge} is already the bridge of network ${sameBridge.name}`);
  return { ...base, driver: 'bridge', bridge, mtu: spec.mtu, masquerade: spec.masquerade, icc: spec.icc };
}

/** The bridge settings in which `have` differs from a request (a name not asked for keeps the recorded one). */
export function bridgeDifferences(have: BridgeNetwork, spec: NetworkSpec, resolved: BridgeNetwork): string[] {
  const diff: string[] = [];
  if ((spec.bridge ?? have.bridge) !== have.bridge) diff.push('bridge');
  for (const k of ['mtu', 'masquerade', 'icc'] as const) if (have[k] !== resolved[k]) diff.push(k);
  return diff;
}

/** Why the recorded bridge's name is held by a link that is not this lab's bridge, in check's words. */
export function bridgeConflict(n: BridgeNetwork, host: HostView): string | undefined {
  const br = host.links.find((l) => l.ifname === n.bridge);
  if (!br || isOurBridge(br, n)) return undefined;
  const other = parseBridgeAlias(br.ifalias);
  const who = other?.owner === 'other' ? `another nslab lab's (lab ${other.lab})` : `not nslab's (${kindOf(br) ?? 'device'}, alias ${br.ifalias ?? 'none'})`;
  return `interface ${n.bridge}, the recorded bridge of ${n.name}, is ${who}: left alone, and the network is not repaired`;
}

/** A step for one part of a network's firewall intent, described in the lab's words. */
function firewallStep(n: BridgeNetwork, c: FirewallChange): Step {
  const rule = (what: string) => ({ kind: 'rule', what });
  switch (c.part) {
    case 'source-check': return step(`${n.name}/no-spoofing`, spoofLesson(firewallSpec(n)), 'network', [...c.apply], [...c.revert], c.missing.map(rule));
    case 'traffic': {
      const what = n.masquerade ? 'MASQUERADE traffic leaving the subnet and accept forwarding' : 'accept forwarding';
      return step(`${n.name}/firewall`, `${what} for ${ipv4Subnet(n).subnet} on ${n.bridge}`, 'network', [...c.apply], [...c.revert], c.missing.map(rule));
    }
    case 'dns': return step(`${n.name}/dns`, `accept DNS (udp and tcp 53) from ${n.bridge} to the gateway ${ipv4Subnet(n).gateway}, where nslabd answers the network's names (nothing else of the host is opened)`, 'network', [...c.apply], [...c.revert], c.missing.map(rule));
    case 'old-copies': return step(`${n.name}/firewall-old`, `remove the rules of network ${n.name} that carry the previous release's comment`, 'retire', [...c.apply], [...c.revert], c.missing.map(rule));
  }
}

/** Steps that make the network exist against the observed host, skipping what is already there and ours. */
export function setupBridge(n: BridgeNetwork, host: HostView, { fw, live }: FirewallAt): Step[] {
  const steps: Step[] = [];
  const v4 = ipv4Subnet(n);
  const subnet = parseCidr4(v4.subnet) as Cidr4;
  const link = host.links.find((l) => l.ifname === n.bridge);
  if (link && !isOurBridge(link, n)) {
    throw new ConflictError(`bridge: interface ${n.bridge} already exists and is not nslab's bridge for network ${n.name}`);
  }
  if (link && link.ifalias !== bridgeAlias(n.name)) {
    steps.push(step(`${n.name}/mark`, `mark bridge ${n.bridge} as this lab's (it carries the previous release's alias)`, 'network',
      [setAlias(n.bridge, bridgeAlias(n.name))], [], [{ kind: 'link', what: `bridge ${n.bridge} carries the previous release's alias (no lab id)` }]));
  }
  if (link && !isUp(link)) {
    steps.push(step(`${n.name}/up`, `bring bridge ${n.bridge} up`, 'network', [setUp(n.bridge)], [], [{ kind: 'link', what: `bridge ${n.bridge} is down` }]));
  }
  if (!link) {
    steps.push(step(`${n.name}/bridge`, `create bridge ${n.bridge} for network ${n.name}`, 'network',
      [addBridge({ name: n.bridge, mtu: n.mtu, mac: macForIp(v4.gateway) }), setAlias(n.bridge, bridgeAlias(n.name))], [delLink(n.bridge)],
      [{ kind: 'link', what: `bridge ${n.bridge} is missing` }]));
  }
  const cidr = `${v4.gateway}/${subnet.prefix}`;
  if (!hasAddr(host.addrs, n.bridge, cidr)) {
    steps.push(step(`${n.name}/gateway`, `give bridge ${n.bridge} the gateway address ${cidr}`, 'network',
      // A missing bridge is the finding; its address goes with it.
      [addAddr(n.bridge, cidr, broadcastOf(subnet))], [], link ? [{ kind: 'address', what: `gateway address ${cidr} is missing from ${n.bridge}` }] : []));
  }
  // After the address: `ip` lines next to each other run as one `ip -batch` (one process less).
  if (!link) {
    // IPv4-only network: no IPv6 link-local address appearing on the bridge once a port is up.
    // Below IPv6's minimum MTU the kernel keeps no IPv6 state on the link at all (no
    // net/ipv6/conf/BRIDGE to write: sysctl fails with "cannot stat"), so there is nothing to turn off.
    if (hasIpv6Stack(n)) {
      steps.push(step(`${n.name}/ipv6-off`, `disable IPv6 on bridge ${n.bridge} (an IPv4-only network)`, 'network',
        [setSysctl(`net/ipv6/conf/${n.bridge}/disable_ipv6`, '1')]));
    }
  }
  if (host.ipForward !== '1') {
    steps.push(step('host/ip_forward', 'turn on IPv4 forwarding so the host routes between bridge and uplink', 'network',
      [setSysctl('net.ipv4.ip_forward', '1')], [], [{ kind: 'sysctl', what: 'net.ipv4.ip_forward is not 1' }]));
  }
  const spec = firewallSpec(n);
  if (fw.needsBridgeNetfilter(spec) && host.bridgeNfIptables !== '1') {
    steps.push(step('host/br_netfilter', `pass bridged traffic through iptables (${BRIDGE_NF_IPTABLES}=1) so that ICC off on ${n.bridge} is enforced`, 'network',
      [...(host.bridgeNfIptables === undefined ? [modprobe('br_netfilter')] : []), setSysctl(BRIDGE_NF_IPTABLES, '1')], [],
      [{ kind: 'sysctl', what: 'net.bridge.bridge-nf-call-iptables is not 1 (ICC off would not be enforced)' }]));
  }
  steps.push(...fw.ensureNetwork(live, spec).map((c) => firewallStep(n, c)));
  return steps;
}

/**
 * Steps that remove the network: its rules first, then the bridge (its address goes with
 * it) — only if the bridge is ours and nothing else is enslaved to it.
 */
export function teardownBridge(n: BridgeNetwork, host: HostView, { fw, live }: FirewallAt): Step[] {
  const steps: Step[] = [];
  const del = fw.removeNetwork(live, firewallSpec(n));
  if (del.length) steps.push(step(`${n.name}/firewall`, `remove the firewall rules of network ${n.name}`, 'unplug', del));
  const link = host.links.find((l) => l.ifname === n.bridge);
  if (isOurBridge(link, n)) {
    const ports = host.links.filter((l) => l.master === n.bridge);
    if (ports.length) {
      throw new ConflictError(`network ${n.name}: bridge ${n.bridge} still has ports (${ports.map((p) => p.ifname).join(', ')}); not removing it`);
    }
    steps.push(step(`${n.name}/bridge`, `delete bridge ${n.bridge}`, 'drop-bridges', [delLink(n.bridge)]));
  }
  return steps;
}
