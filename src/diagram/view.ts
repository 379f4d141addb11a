// The topology grouped the way a student reads it: one block per bridge (its gateway, NAT, and the
// namespaces on it), macvlan parents, VXLAN devices, what hangs off the host itself, and the rest.
import { rangeOf } from '../ipam/cidr.js';
import type { Bridge, Child, Masquerade, Namespace, Owner, Port, Topology, Veth, Vxlan } from '../topology/model.js';

/** One namespace's interface on a bridge (or a bare port), with what the diagram says beside it. */
export interface Row {
  /** The namespace holding the far end; absent: the host (a port that is not a container's). */
  netns?: string;
  /** Its other names (container:OTHER). */
  aka?: string[];
  /** The bridge port (the host end of the veth, or the device itself). */
  port: string;
  /** The far end's interface and addresses. */
  inner?: string;
  addrs: string[];
  /** The namespace's default route leaves through this interface. */
  via?: string;
  ports: Port[];
  owner: Owner;
  /** Other words: "vxlan 42 → 192.0.2.2", "device", "peer in an unnamed namespace". */
  note?: string;
}

export interface BridgeBlock {
  br: Bridge;
  masquerades: Masquerade[];
  rows: Row[];
}

export interface Grouped {
  blocks: BridgeBlock[];
  /** Veths with an end in the host that is no bridge's port. */
  hostVeths: Veth[];
  /** macvlan/ipvlan children by parent. */
  parents: Array<{ parent: string; children: Child[] }>;
  /** VXLAN devices that are no bridge's port. */
  vxlans: Vxlan[];
  masquerades: Masquerade[];
  ports: Port[];
  /** Names that are the host's own namespace (host mode). */
  hostNames: string[];
  /** Namespaces no link joins to the host. */
  apart: Namespace[];
}

/** Does MASQUERADE rule `m` serve bridge `b`: its network named, or its source covering the bridge's subnet? */
function serves(m: Masquerade, b: Bridge): boolean {
  if (m.network && b.network) return m.network === b.network && m.owner.lab === b.owner.lab;
  if (m.out === b.name) return false;
  return m.source === undefined ? false : b.addrs.some((a) => {
    const sub = rangeOf(a);
    const src = rangeOf(m.source!);
    return !!sub && !!src && src.first <= sub.first && src.last >= sub.last;
  });
}

/** Group `t` for the renderers. Pure. */
export function group(t: Topology): Grouped {
  const ns = new Map(t.namespaces.map((n) => [n.name, n]));
  const usedPorts = new Set<Port>();
  const usedMasq = new Set<Masquerade>();
  const onBridge = new Set<Veth>();
  const portsTo = (addrs: readonly string[]) => t.ports.filter((p) => addrs.some((a) => a.split('/')[0] === p.toIp)).map((p) => (usedPorts.add(p), p));
  const blocks = t.bridges.map((bridge): BridgeBlock => {
    const rows = bridge.ports.map((port): Row => {
      const v = t.veths.find((x) => (x.a.name === port && !x.a.netns) || (x.b?.name === port && !x.b.netns));
      if (v) {
        onBridge.add(v);
        const [near, far] = v.a.name === port && !v.a.netns ? [v.a, v.b] : [v.b!, v.a];
        if (!far) return { port: near.name, addrs: [], ports: [], owner: v.owner, note: 'peer in a namespace with no name' };
        const n = far.netns ? ns.get(far.netns) : undefined;
        const via = n?.gateway?.dev === far.name ? n.gateway.via : undefined;
        return { ...(far.netns ? { netns: far.netns, ...(n?.aliases.length ? { aka: n.aliases } : {}) } : {}), port: near.name, inner: far.name, addrs: far.addrs, ...(via ? { via } : {}), ports: portsTo(far.addrs), owner: v.owner };
      }
      const x = t.vxlans.find((d) => !d.netns && d.name === port);
      if (x) return { port, addrs: [], ports: [], owner: x.owner, note: vxlanWords(x) };
      return { port, addrs: [], ports: [], owner: { nslab: false }, note: 'device' };
    });
    const masquerades = t.masquerades.filter((m) => serves(m, bridge)).map((m) => (usedMasq.add(m), m));
    return { br: bridge, masquerades, rows };
  });
  const hostVeths = t.veths.filter((v) => !onBridge.has(v) && (!v.a.netns || (v.b && !v.b.netns)));
  const parents = new Map<string, Child[]>();
  for (const c of t.children) parents.set(c.parent ?? '?', [...(parents.get(c.parent ?? '?') ?? []), c]);
  const bridged = new Set(t.bridges.flatMap((b) => b.ports));
  return {
    blocks,
    hostVeths,
    parents: [...parents].map(([parent, children]) => ({ parent, children })),
    vxlans: t.vxlans.filter((x) => x.netns || !bridged.has(x.name)),
    masquerades: t.masquerades.filter((m) => !usedMasq.has(m)),
    ports: t.ports.filter((p) => !usedPorts.has(p)),
    hostNames: t.namespaces.filter((n) => n.isHost).flatMap((n) => [n.name, ...n.aliases]),
    apart: t.namespaces.filter((n) => !n.attached),
  };
}

/** "vxlan 42 dev eth1 → 192.0.2.2, 192.0.2.3". Pure. */
export function vxlanWords(x: Vxlan): string {
  const peers = x.peers.length ? x.peers : x.group ? [x.group] : [];
  return [`vxlan${x.vni === undefined ? '' : ` ${x.vni}`}`, x.dev && `dev ${x.dev}`, x.port && `port ${x.port}`, peers.length && `→ ${peers.join(', ')}`].filter(Boolean).join(' ');
}

/** "8080→80/tcp", "127.0.0.1:5353→53/udp", or "8080→10.0.0.2:80/tcp" when `to` is asked. Pure. */
export function portWords(p: Port, withTarget = false): string {
  const host = p.hostIp && p.hostIp !== '0.0.0.0' ? `${p.hostIp}:${p.hostPort}` : p.hostPort;
  const to = withTarget ? `${p.toIp}${p.toPort ? `:${p.toPort}` : ''}` : p.toPort ?? p.toIp;
  return `${host}→${to}/${p.protocol}`;
}

/** "MASQUERADE 10.0.0.0/24 (! -o br0)". Pure. */
export function masqueradeWords(m: Masquerade): string {
  return `MASQUERADE ${m.source ?? 'any source'}${m.out ? ` -o ${m.out}` : ''}${m.notOut ? ` (! -o ${m.notOut})` : ''}`;
}
