// The host as the trace reads it once: links, addresses, namespace ids, the ruleset and forwarding settings.
import { parseIptablesSave, type Ruleset } from '../firewall/iptables/save.js';
import type { LinkInfo } from '../kernel/link.js';
import { BRIDGE_NF_IPTABLES, readSysctl } from '../kernel/sysctl.js';
import type { HostFacts } from './packet.js';
import type { AddrEntry, KernelReader } from './read.js';
import { inCidr } from './ip4.js';

export interface HostView {
  links: LinkInfo[];
  addrs: AddrEntry[];
  /** `ip netns list-id`: the host's ids of other namespaces, by name. */
  nsids: Map<number, string>;
  rules: Ruleset;
  ipForward?: string;
  /** net.bridge.bridge-nf-call-iptables; undefined when br_netfilter is not loaded. */
  brNetfilter?: string;
}

/** Read the host namespace (the caller's): four reads and two sysctls. Read-only. */
export async function readHost(k: KernelReader): Promise<HostView> {
  const [links, addrs, nsids, save, ipForward, brNetfilter] = await Promise.all([
    k.links(), k.addrs(), k.nsids(), k.iptablesSave(), readSysctl('net.ipv4.ip_forward'), readSysctl(BRIDGE_NF_IPTABLES),
  ]);
  return { links, addrs, nsids, rules: parseIptablesSave(save), ipForward: ipForward?.trim(), brNetfilter: brNetfilter?.trim() };
}

/** The IPv4 addresses on one interface of a namespace's address list. */
export const addrsOn = (addrs: readonly AddrEntry[], dev: string) => addrs.filter((a) => a.ifname === dev).flatMap((a) => a.addr_info.filter((i) => i.family === 'inet'));

/** What the rules may ask of the host: its own addresses (addrtype LOCAL) and MASQUERADE's source per interface. */
export function hostFacts(h: Pick<HostView, 'addrs'>): HostFacts {
  const local = new Set(h.addrs.flatMap((a) => a.addr_info.filter((i) => i.family === 'inet').map((i) => i.local)));
  return {
    local: (addr) => local.has(addr) || inCidr(addr, '127.0.0.0/8') === true,
    masqueradeSource: (dev) => addrsOn(h.addrs, dev)[0]?.local,
  };
}

export const linkNamed = (h: HostView, name: string | undefined) => h.links.find((l) => l.ifname === name);
export const isBridge = (l: LinkInfo | undefined) => l?.linkinfo?.info_kind === 'bridge';

/** The nslab network whose bridge this is (from the bridge's alias, nslab's mark), or undefined. */
export function networkOf(h: HostView, iface: string | undefined): string | undefined {
  const alias = linkNamed(h, iface)?.ifalias;
  return /^nslab:(?:[0-9a-f]{8}:)?network:([^:]+)$/.exec(alias ?? '')?.[1];
}

/** "bridge nslab-lab (network lab)" or "bridge br0 (not nslab's)". */
export function bridgeLabel(h: HostView, br: string): string {
  const n = networkOf(h, br);
  return `bridge ${br} (${n ? `network ${n}` : "not nslab's"})`;
}

/** The namespace at the other end of a host veth, by its link_netnsid. */
export const peerNamespace = (h: HostView, l: LinkInfo | undefined) => (l?.link_netnsid === undefined ? undefined : h.nsids.get(l.link_netnsid));
