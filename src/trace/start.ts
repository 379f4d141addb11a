// Where the packet starts: the route lookup inside the container, its veth pair, and the first bridge it meets.
import { bridgeDecision, decisionWords, hostEnd, portOf } from './bridge.js';
import type { Hop } from './hops.js';
import { addrsOn, bridgeLabel, linkNamed, peerNamespace, type HostView } from './host.js';
import type { KernelReader } from './read.js';
import { hasDefaultRoute, routeWords } from './route.js';

/** How the packet enters the host: routed (in by an interface), bridged (across one bridge), or not at all. */
export type Entry =
  | { kind: 'routed'; in: string; physIn?: string }
  | { kind: 'bridged'; br: string; physIn: string; to?: { port: string; ns?: string } }
  | { kind: 'stop'; outcome: 'no-route' | 'unknown' | 'delivered'; text: string };

/** From container `ns` (address `src`) towards `dst`: its route, its veth pair, the bridge. Read-only. */
export async function leaveContainer(k: KernelReader, h: HostView, ns: string, src: string, dst: string, hops: Hop[]): Promise<Entry> {
  const r = await k.routeGet([dst, 'from', src], ns);
  if (!r.route) {
    const why = (await hasDefaultRoute(k, ns)) ? r.error : `${r.error}; no default route in ${ns}`;
    hops.push({ kind: 'stop', at: ns, text: `no route: ${ns} has no route to ${dst} (${why})`, from: r.line });
    return { kind: 'stop', outcome: 'no-route', text: `no route: ${ns} cannot reach ${dst} (${why})` };
  }
  if (r.route.type === 'local') {
    hops.push({ kind: 'route', at: ns, text: `${dst} is ${ns}'s own address: it never leaves the namespace (lo)`, from: r.line });
    return { kind: 'stop', outcome: 'delivered', text: `delivered inside ${ns}` };
  }
  hops.push({ kind: 'route', at: ns, text: `route in ${ns}: ${routeWords(r.route)} (source ${src})`, from: r.line });
  const dev = r.route.dev!;
  const link = (await k.links(ns)).find((l) => l.ifname === dev);
  const kind = link?.linkinfo?.info_kind;
  const peer = link && kind === 'veth' ? hostEnd(h, ns, link) : undefined;
  if (!peer) {
    const text = kind === 'veth' ? `${dev}'s veth peer is not in the host namespace` : `${dev} is a ${kind ?? 'plain'} link, not a veth: the trace follows veth pairs into the host only`;
    hops.push({ kind: 'stop', at: ns, text });
    return { kind: 'stop', outcome: 'unknown', text };
  }
  const br = peer.master;
  hops.push({ kind: 'veth', at: ns, text: `veth pair: ${dev} in ${ns} ↔ ${peer.ifname} in the host${br ? `, a port of ${bridgeLabel(h, br)}` : ''}` });
  if (!br) return { kind: 'routed', in: peer.ifname };
  const nextHop = r.route.gateway ?? dst;
  const n = await k.neigh(nextHop, dev, ns);
  const toHost = addrsOn(h.addrs, br).some((a) => a.local === nextHop);
  const d = await bridgeDecision(k, h, br, n.entry?.lladdr);
  const from = `${n.line}; ${d.line}`;
  if (toHost || d.kind === 'self') {
    const first = n.entry ? decisionWords(d.kind === 'self' ? d : { kind: 'self', line: d.line }, br, n.entry.lladdr) : `no neighbour entry for ${nextHop} in ${ns} yet (ARP asks first); ${nextHop} is ${br}'s own address: up to the host's IP stack (routing)`;
    hops.push({ kind: 'bridge', at: br, text: `${bridgeLabel(h, br)}: next hop ${nextHop}: ${first}`, from });
    return { kind: 'routed', in: br, physIn: peer.ifname };
  }
  // Another port of the same bridge: the frame is switched, never routed.
  const where = d.kind === 'flood' ? await portOf(k, h, br, nextHop) : undefined;
  hops.push({ kind: 'bridge', at: br, text: `${bridgeLabel(h, br)}: next hop ${nextHop} is on the same bridge: ${decisionWords(d, br, n.entry?.lladdr)}${where ? `; ${nextHop} answers behind port ${where.port}` : ''}`, from });
  const to = d.kind === 'port' ? { port: d.port, ns: peerNamespace(h, linkNamed(h, d.port)) } : where;
  return { kind: 'bridged', br, physIn: peer.ifname, ...(to ? { to } : {}) };
}
