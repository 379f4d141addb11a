// From what was read of the kernel to the topology: veth ends paired across namespaces, bridges
// with their ports, macvlan parents, VXLAN peers, NAT, and who made each. Pure: unit tests feed it.
import type { AddrInfo } from '../kernel/addr.js';
import type { LinkInfo } from '../kernel/link.js';
import type { RouteInfo } from '../kernel/route.js';
import { aliasMark } from './marks.js';
import type { Bridge, Child, End, Iface, Namespace, Owner, Topology, Veth, Vxlan } from './model.js';
import { masqueradesOf, portsOf } from './nat.js';

/** A link as `ip -json -d link` shows it: a peer or parent elsewhere is named by index and namespace id. */
export type RawLink = LinkInfo & { link_index?: number; link?: string; linkinfo?: { info_data?: Record<string, unknown> } };

export interface RawView {
  links: RawLink[];
  addrs: AddrInfo[];
  routes: RouteInfo[];
}

/** A name in /run/netns: the identity of its namespace (device:inode) and what is inside. */
export interface RawNamed {
  name: string;
  id: string;
  view: RawView;
  /** nslab's /etc/netns marker, when there is one. */
  marker?: { host: string; lab?: string };
  /** This namespace's ids of others (`ip -n NAME netns list-id`), read when a link points elsewhere. */
  nsids?: Record<number, string>;
}

export interface RawTopology {
  hostId: string;
  host: RawView;
  /** The host's namespace ids with each one's identity. */
  hostNsids: Record<number, string>;
  named: RawNamed[];
  /** VTEPs of each VXLAN device, keyed "NETNS/DEV" ("" for the host). */
  fdb: Record<string, string[]>;
  nat: { text: string } | { error: string };
  labId?: string;
  /** The names this lab's records hold. */
  records: { networks: string[]; containers: string[] };
  notes: string[];
}

const kind = (l: RawLink) => l.linkinfo?.info_kind ?? (l.flags.includes('LOOPBACK') ? 'loopback' : 'device');

function addrsOf(v: RawView, ifname: string): string[] {
  return (v.addrs.find((a) => a.ifname === ifname)?.addr_info ?? [])
    .filter((i) => !(i.family === 'inet6' && /^fe80:/i.test(i.local)))
    .map((i) => `${i.local}/${i.prefixlen}`);
}

function ifaceOf(v: RawView, l: RawLink): Iface {
  return { name: l.ifname, kind: kind(l), up: l.flags.includes('UP'), mtu: l.mtu, ...(l.address ? { mac: l.address } : {}), addrs: addrsOf(v, l.ifname), ...(l.master ? { master: l.master } : {}) };
}

const endOf = (v: RawView, l: RawLink, netns?: string): End =>
  ({ ...(netns ? { netns } : {}), name: l.ifname, addrs: addrsOf(v, l.ifname), up: l.flags.includes('UP'), ...(l.master ? { master: l.master } : {}) });

/** The link of `there` that is `l`'s veth peer (it names l back: indexes alone could match by chance). */
const peerIn = (there: RawView, l: RawLink, hereId: string, ids: Record<number, string> | undefined) =>
  there.links.find((p) => p.ifindex === l.link_index && p.link_index === l.ifindex
    && (p.link_netnsid === undefined || ids === undefined || ids[p.link_netnsid] === undefined || ids[p.link_netnsid] === hereId));

/** Is this link of namespace `n` the peer of a host veth (so the host side names it)? */
export function pairedWithHost(raw: Pick<RawTopology, 'host' | 'hostNsids'>, n: Pick<RawNamed, 'id'>, l: RawLink): boolean {
  return raw.host.links.some((h) => h.ifindex === l.link_index && h.link_index === l.ifindex && h.link_netnsid !== undefined && raw.hostNsids[h.link_netnsid] === n.id);
}

/** The topology of `raw`. Pure. */
export function assemble(raw: RawTopology): Topology {
  const { host, labId } = raw;
  const records = { networks: new Set(raw.records.networks), containers: new Set(raw.records.containers) };
  // One namespace may have several names (container:OTHER): the first name in order is its own.
  const byId = new Map<string, RawNamed[]>();
  for (const n of [...raw.named].sort((a, b) => a.name.localeCompare(b.name))) byId.set(n.id, [...(byId.get(n.id) ?? []), n]);
  const nameOf = (id: string | undefined) => (id === undefined ? undefined : id === raw.hostId ? '' : byId.get(id)?.[0]?.name);
  const viewOf = (name: string) => (name === '' ? host : byId.get(raw.named.find((n) => n.name === name)!.id)![0]!.view);
  const idsOf = (name: string) => (name === '' ? raw.hostNsids : byId.get(raw.named.find((n) => n.name === name)!.id)![0]!.nsids);
  const idOf = (name: string) => (name === '' ? raw.hostId : raw.named.find((n) => n.name === name)!.id);
  const attached = new Set<string>();
  const used = new Set<string>();
  const veths: Veth[] = [];
  const children: Child[] = [];
  const vxlans: Vxlan[] = [];
  // Host first, then each namespace: a pair is told once, from the first end met.
  const places: string[] = ['', ...[...byId.values()].filter((ns) => ns[0]!.id !== raw.hostId).map((ns) => ns[0]!.name)];
  for (const here of places) {
    const v = viewOf(here);
    const netns = here || undefined;
    for (const l of v.links) {
      const k = kind(l);
      if (k === 'veth' && !used.has(`${here}/${l.ifname}`)) {
        used.add(`${here}/${l.ifname}`);
        const there = l.link_netnsid === undefined ? here : nameOf(idsOf(here)?.[l.link_netnsid]);
        const p = there === undefined ? undefined : peerIn(viewOf(there), l, idOf(here), idsOf(there));
        if (p && there !== undefined) used.add(`${there}/${p.ifname}`);
        const marks = [aliasMark(l.ifalias, labId), ...(p ? [aliasMark(p.ifalias, labId)] : [])].find((m) => m.owner.nslab) ?? aliasMark(undefined, labId);
        const owner: Owner = marks.endpoint ? { ...marks.owner, ...(marks.owner.thisLab && records.containers.has(marks.endpoint.container) ? { recorded: true } : {}) } : marks.owner;
        veths.push({ a: endOf(v, l, netns), ...(p && there !== undefined ? { b: endOf(viewOf(there), p, there || undefined) } : {}), owner, ...(marks.endpoint ? { endpoint: marks.endpoint } : {}) });
        if (p && there !== undefined && (here === '' || there === '')) attached.add(here || there);
      } else if (k === 'macvlan' || k === 'ipvlan') {
        const elsewhere = l.link_netnsid === undefined ? here : nameOf(idsOf(here)?.[l.link_netnsid]);
        const parentLink = l.link ?? (elsewhere === undefined ? undefined : viewOf(elsewhere).links.find((x) => x.ifindex === l.link_index)?.ifname);
        const parent = parentLink === undefined ? (l.link_index === undefined ? undefined : `ifindex ${l.link_index}`) : elsewhere ? `${parentLink}@${elsewhere}` : parentLink;
        if (elsewhere === '' && here) attached.add(here);
        const mode = l.linkinfo?.info_data?.mode;
        children.push({ kind: k, end: endOf(v, l, netns), ...(typeof mode === 'string' ? { mode } : {}), ...(parent ? { parent } : {}), owner: aliasMark(l.ifalias, labId).owner });
      } else if (k === 'vxlan') {
        const d = l.linkinfo?.info_data ?? {};
        const str = (x: unknown) => (typeof x === 'string' ? x : undefined);
        vxlans.push({
          ...(netns ? { netns } : {}), name: l.ifname,
          ...(typeof d.id === 'number' ? { vni: d.id } : {}),
          ...(str(d.local) ? { local: str(d.local) } : {}),
          ...(str(d.link) ? { dev: str(d.link) } : {}),
          ...(typeof d.port === 'number' ? { port: d.port } : {}),
          ...(str(d.group) ?? str(d.remote) ? { group: str(d.group) ?? str(d.remote) } : {}),
          peers: raw.fdb[`${here}/${l.ifname}`] ?? [],
          ...(l.master ? { master: l.master } : {}),
          owner: aliasMark(l.ifalias, labId).owner,
        });
      }
    }
  }
  const bridges: Bridge[] = host.links.filter((l) => kind(l) === 'bridge').map((l) => {
    const m = aliasMark(l.ifalias, labId);
    const owner = m.network && m.owner.thisLab && records.networks.has(m.network) ? { ...m.owner, recorded: true } : m.owner;
    return { name: l.ifname, owner, ...(m.network ? { network: m.network } : {}), up: l.flags.includes('UP'), mtu: l.mtu, ...(l.address ? { mac: l.address } : {}),
      addrs: addrsOf(host, l.ifname), ports: host.links.filter((p) => p.master === l.ifname).map((p) => p.ifname) };
  });
  const namespaces: Namespace[] = [...byId.values()].map((names) => {
    const n = names[0]!;
    const isHost = n.id === raw.hostId;
    const mark = names.map((x) => x.marker).find(Boolean);
    const owner: Owner = mark ? { nslab: true, ...(mark.lab ? { lab: mark.lab } : {}), thisLab: !!mark.lab && mark.lab === labId, ...(names.some((x) => records.containers.has(x.name)) && mark.lab === labId ? { recorded: true } : {}) } : { nslab: false };
    const def = n.view.routes.find((r) => r.dst === 'default');
    return {
      name: n.name, aliases: names.slice(1).map((x) => x.name), owner, isHost,
      ifaces: isHost ? [] : n.view.links.filter((l) => kind(l) !== 'loopback').map((l) => ifaceOf(n.view, l)),
      ...(def && !isHost ? { gateway: { ...(def.gateway ? { via: def.gateway } : {}), ...(def.dev ? { dev: def.dev } : {}) } } : {}),
      attached: isHost || attached.has(n.name),
    };
  });
  const def = host.routes.find((r) => r.dst === 'default');
  const plain = host.links.filter((l) => !['loopback', 'bridge', 'veth', 'macvlan', 'ipvlan', 'vxlan'].includes(kind(l)));
  return {
    ...(labId ? { labId } : {}),
    host: { ifaces: plain.map((l) => ifaceOf(host, l)), ...(def ? { gateway: { ...(def.gateway ? { via: def.gateway } : {}), ...(def.dev ? { dev: def.dev } : {}) } } : {}) },
    bridges, namespaces, veths, children, vxlans,
    masquerades: 'text' in raw.nat ? masqueradesOf(raw.nat.text, labId) : [],
    ports: 'text' in raw.nat ? portsOf(raw.nat.text, labId) : [],
    notes: [...raw.notes, ...('error' in raw.nat ? [`the nat table could not be read: ${raw.nat.error}`] : [])],
  };
}
