// The packet inside the host: bridged (br_netfilter's passes) or routed (PREROUTING, the route lookup, FORWARD or INPUT, POSTROUTING).
import { bridgeDecision, decisionWords, portOf } from './bridge.js';
import { hookHop } from './hooks.js';
import type { Hop, TraceResult } from './hops.js';
import { bridgeLabel, isBridge, linkNamed, peerNamespace, type HostView } from './host.js';
import type { Hook } from './netfilter-eval.js';
import type { Packet } from './packet.js';
import type { KernelReader } from './read.js';
import { routeWords } from './route.js';

export interface HostPath {
  hops: Hop[];
  outcome: TraceResult['outcome'];
  /** The packet as it left the last hook (after NAT). */
  packet: Packet;
  /** Whether it was dropped or stopped before arriving. */
  arrived: boolean;
}

/** Run the hooks in order; stop at the first that drops. */
function hooks(h: HostView, list: Hook[], p: Packet, hops: Hop[]): { packet: Packet; dropped?: string } {
  let packet = p;
  for (const hook of list) {
    const { hop, result, dropped } = hookHop(h, hook, { ...packet, ...(hook === 'POSTROUTING' ? { in: undefined } : {}), ...(hook === 'PREROUTING' ? { out: undefined } : {}) });
    if (hop) hops.push(hop);
    packet = { ...result.packet, in: packet.in, out: packet.out };
    if (dropped) return { packet, dropped };
  }
  return { packet };
}

/** Where a frame to `ip` leaves bridge `br`: the fdb's answer (or the flood) and the container behind the port. */
async function outOfBridge(k: KernelReader, h: HostView, br: string, ip: string, hops: Hop[]): Promise<string | undefined> {
  const n = await k.neigh(ip, br);
  const d = await bridgeDecision(k, h, br, n.entry?.lladdr);
  const owner = d.kind === 'port' ? { port: d.port, ns: peerNamespace(h, linkNamed(h, d.port)) } : await portOf(k, h, br, ip);
  hops.push({ kind: 'bridge', at: br, text: `${bridgeLabel(h, br)}: ${decisionWords(d, br, n.entry?.lladdr)}${d.kind === 'flood' && owner ? `; ${ip} answers behind port ${owner.port}` : ''}`, from: `${n.line}; ${d.line}` });
  if (owner?.ns) hops.push({ kind: 'veth', at: owner.ns, text: `${owner.port} ↔ eth0 of ${owner.ns}: arrives in container ${owner.ns}` });
  return owner?.ns;
}

/** A frame that stays on one bridge: iptables sees it only through br_netfilter. */
export async function bridgedPath(h: HostView, p: Packet, br: string, to: { port: string; ns?: string } | undefined, hops: Hop[]): Promise<HostPath> {
  const packet = { ...p, in: br, out: br, bridged: true, ...(to ? { physOut: to.port } : {}) };
  if (h.brNetfilter === '1') {
    hops.push({ kind: 'note', at: 'host', text: `same bridge: no routing in the host; bridge-nf-call-iptables is 1, so iptables sees the bridged frame (-i ${br} -o ${br})` });
    // Verified on kernel 6.18: br_netfilter's FORWARD pass does not look at ip_forward.
    if (h.ipForward !== '1') hops.push({ kind: 'note', at: 'host', text: 'ip_forward is 0 in the host: that stops routed packets, not frames the bridge switches' });
    const r = hooks(h, ['PREROUTING', 'FORWARD', 'POSTROUTING'], packet, hops);
    if (r.dropped) return { hops, outcome: { kind: 'dropped', text: r.dropped }, packet: r.packet, arrived: false };
  } else {
    hops.push({ kind: 'note', at: 'host', text: `same bridge: no routing in the host; bridge-nf-call-iptables is ${h.brNetfilter ?? 'absent (br_netfilter not loaded)'}, so iptables never sees the frame` });
  }
  if (to?.ns) hops.push({ kind: 'veth', at: to.ns, text: `${to.port} ↔ eth0 of ${to.ns}: arrives in container ${to.ns}` });
  const ns = to?.ns;
  return ns ? { hops, outcome: { kind: 'delivered', text: `delivered to ${ns} (${p.dst}) across ${br}, never routed` }, packet, arrived: true }
    : { hops, outcome: { kind: 'unknown', text: `nobody on ${br} holds ${p.dst}` }, packet, arrived: false };
}

/** A packet the host routes: in by `p.in`, out by what the host's route lookup says. */
export async function routedPath(k: KernelReader, h: HostView, p: Packet, hops: Hop[]): Promise<HostPath> {
  const pre = hooks(h, ['PREROUTING'], p, hops);
  if (pre.dropped) return { hops, outcome: { kind: 'dropped', text: pre.dropped }, packet: pre.packet, arrived: false };
  let packet = pre.packet;
  const r = await k.routeGet([packet.dst, 'from', packet.src, 'iif', p.in!]);
  if (!r.route && h.ipForward !== '1') {
    // With forwarding off the kernel answers a lookup for a packet coming in (iif) with "No
    // route to host" for every address not the host's own: the cause is the sysctl, not a route.
    hops.push({ kind: 'stop', at: 'host', text: `ip_forward is 0: the host does not forward between interfaces, so the kernel finds no route for a packet coming in on ${p.in} (${r.error}) (sysctl -w net.ipv4.ip_forward=1)`, from: r.line });
    return { hops, outcome: { kind: 'dropped', text: 'dropped: ip_forward is 0 in the host' }, packet, arrived: false };
  }
  if (!r.route) {
    hops.push({ kind: 'stop', at: 'host', text: `no route in the host to ${packet.dst}: ${r.error}`, from: r.line });
    return { hops, outcome: { kind: 'no-route', text: `no route: the host cannot route ${packet.dst} (${r.error})` }, packet, arrived: false };
  }
  if (r.route.type === 'local') {
    hops.push({ kind: 'route', at: 'host', text: `${packet.dst} is the host's own address: delivered locally (INPUT), not forwarded`, from: r.line });
    const inp = hooks(h, ['INPUT'], packet, hops);
    if (inp.dropped) return { hops, outcome: { kind: 'dropped', text: inp.dropped }, packet: inp.packet, arrived: false };
    const nothing = packet.dport ? `; no published port matched ${packet.dport}/${packet.proto}, so the host itself answers (or refuses)` : '';
    return { hops, outcome: { kind: 'delivered', text: `delivered to the host itself (${packet.dst})${nothing}` }, packet: inp.packet, arrived: true };
  }
  hops.push({ kind: 'route', at: 'host', text: `routing in the host: ${routeWords(r.route)}`, from: r.line });
  if (h.ipForward !== '1') {
    hops.push({ kind: 'stop', at: 'host', text: 'ip_forward is 0: the host does not forward between interfaces (sysctl -w net.ipv4.ip_forward=1)' });
    return { hops, outcome: { kind: 'dropped', text: 'dropped: ip_forward is 0 in the host' }, packet, arrived: false };
  }
  packet = { ...packet, out: r.route.dev };
  const fwd = hooks(h, ['FORWARD', 'POSTROUTING'], packet, hops);
  if (fwd.dropped) return { hops, outcome: { kind: 'dropped', text: fwd.dropped }, packet: fwd.packet, arrived: false };
  packet = fwd.packet;
  const out = r.route.dev!;
  if (isBridge(linkNamed(h, out))) {
    const ns = await outOfBridge(k, h, out, r.route.gateway ?? packet.dst, hops);
    return ns ? { hops, outcome: { kind: 'delivered', text: `delivered to ${ns} (${packet.dst}${packet.dport ? `:${packet.dport}` : ''})` }, packet, arrived: true }
      : { hops, outcome: { kind: 'unknown', text: `nobody on ${out} holds ${packet.dst}` }, packet, arrived: false };
  }
  hops.push({ kind: 'leave', at: 'host', text: `leaves the host by ${out}${r.route.gateway ? ` towards ${r.route.gateway}` : ''} as ${packet.src} → ${packet.dst}` });
  return { hops, outcome: { kind: 'left', text: `leaves the host by ${out} as ${packet.src} → ${packet.dst}${packet.dport ? `:${packet.dport}` : ''}` }, packet, arrived: true };
}
