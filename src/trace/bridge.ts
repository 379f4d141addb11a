// The veth pair and the bridge: which host end a container's eth0 is paired with, and what the bridge does with a frame.
import type { LinkInfo } from '../kernel/link.js';
import { addrsOn, peerNamespace, type HostView } from './host.js';
import type { KernelReader } from './read.js';

/**
 * The host end of a container's link `dev` (in namespace `ns`): the host veth whose peer index is
 * dev's ifindex and whose peer namespace is `ns` (indexes are per namespace: the pair alone
 * can collide). Undefined when the peer is not in the host namespace.
 */
export function hostEnd(h: HostView, ns: string, dev: LinkInfo): LinkInfo | undefined {
  // `ip -d link` gives a veth its peer's ifindex (link_index), which LinkInfo leaves out.
  return h.links.find((l) => l.linkinfo?.info_kind === 'veth' && (l as { link_index?: number }).link_index === dev.ifindex && peerNamespace(h, l) === ns);
}

export type BridgeDecision =
  | { kind: 'self'; line: string }
  | { kind: 'port'; port: string; line: string }
  | { kind: 'flood'; line: string };

/**
 * What bridge `br` does with a frame to `mac`: up to the host when it is the bridge's own MAC,
 * out of one port when its forwarding database has learned the MAC there, flooded otherwise.
 */
export async function bridgeDecision(k: KernelReader, h: HostView, br: string, mac: string | undefined): Promise<BridgeDecision> {
  const { entries, line } = await k.fdb(br);
  const own = h.links.find((l) => l.ifname === br)?.address;
  if (mac && mac === own) return { kind: 'self', line };
  const e = mac ? entries.find((x) => x.mac === mac && x.master === br && x.ifname !== br && !x.flags?.includes('self')) : undefined;
  return e ? { kind: 'port', port: e.ifname, line } : { kind: 'flood', line };
}

/** The bridge port behind which `ip` lives (a container whose address it is), by asking each port's namespace. */
export async function portOf(k: KernelReader, h: HostView, br: string, ip: string): Promise<{ port: string; ns: string } | undefined> {
  for (const l of h.links.filter((x) => x.master === br && x.linkinfo?.info_kind === 'veth')) {
    const ns = peerNamespace(h, l);
    if (!ns) continue;
    const addrs = await k.addrs(ns).catch(() => []);
    if (addrs.some((a) => addrsOn([a], a.ifname).some((i) => i.local === ip))) return { port: l.ifname, ns };
  }
  return undefined;
}

/** "forwarded to port X" / "flooded" words for one bridge decision. */
export function decisionWords(d: BridgeDecision, br: string, mac: string | undefined): string {
  if (d.kind === 'self') return `${mac} is ${br}'s own MAC: the frame goes up to the host's IP stack (routing)`;
  if (d.kind === 'port') return `forwarding database: ${mac} is behind port ${d.port}: forwarded to port ${d.port}`;
  return mac ? `flooded (no fdb entry yet for ${mac}): every port of ${br} gets a copy` : `flooded (no neighbour entry yet: ARP asks first, a broadcast every port of ${br} gets)`;
}
