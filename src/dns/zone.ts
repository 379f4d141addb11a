// The names nslabd's DNS server answers, built from the state: per network, each container's
// name, hostname and aliases → its address there, and the reverse (PTR) of those addresses.
import { contains, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import { addressOf, subnetOf } from '../state/families.js';
import type { State } from '../state/types.js';
import { isLoopback } from '../kernel/netns-files.js';
import { DNS_DOMAIN } from './domain.js';

/** One nslab network as its DNS server sees it. */
export interface NetworkZone {
  readonly network: string;
  /** Where its server listens: the network's gateway address (port 53). */
  readonly gateway: string;
  readonly subnet: Cidr4;
  /** Lower-case name (no trailing dot) → addresses, in the order of the records (round robin rotates them). */
  readonly names: ReadonlyMap<string, readonly string[]>;
  /** Address → the fully qualified name of its container (NAME.nslab.internal). */
  readonly ptr: ReadonlyMap<string, string>;
}

export interface Zones {
  /** By gateway address: a query is answered from the zone of the address it arrived on. */
  readonly byGateway: ReadonlyMap<string, NetworkZone>;
  /** Container address (any network) → the container's --dns servers, when it has some. */
  readonly dnsOf: ReadonlyMap<string, readonly string[]>;
}

/** The registrations of the zones as "network name address" lines (events: what came and went). Pure. */
export function registrations(z: Zones): Set<string> {
  const out = new Set<string>();
  for (const zone of z.byGateway.values()) {
    for (const [name, ips] of zone.names) for (const ip of ips) out.add(`${zone.network} ${name} ${ip}`);
  }
  return out;
}

/**
 * The zones of every nslab network of `state` with an IPv4 subnet: pure (same state, same
 * zones), so refreshing after each change is rebuilding. A container on several networks
 * has its names on each, with the address it has there; sharers (container:OTHER), host and
 * none containers have no endpoint and no name.
 */
export function buildZones(state: State): Zones {
  const byGateway = new Map<string, NetworkZone>();
  const dnsOf = new Map<string, readonly string[]>();
  const byNetwork = new Map<string, { names: Map<string, string[]>; ptr: Map<string, string> }>();
  for (const n of Object.values(state.networks)) {
    const s = subnetOf(n, 4);
    const subnet = s ? parseCidr4(s.subnet) : undefined;
    if (!s || subnet === undefined || typeof subnet === 'string') continue;
    const zone = { network: n.name, gateway: s.gateway, subnet, names: new Map<string, string[]>(), ptr: new Map<string, string>() };
    byGateway.set(s.gateway, zone);
    byNetwork.set(n.name, zone);
  }
  // Sorted by name: the order of addresses under one alias does not depend on JSON key order.
  for (const c of Object.values(state.containers).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    for (const e of c.endpoints) {
      const zone = byNetwork.get(e.network);
      const ip = addressOf(e, 4)?.ip;
      if (!zone || !ip) continue;
      if (c.dns.length) dnsOf.set(ip, c.dns);
      for (const name of new Set([c.name, c.hostname, ...e.aliases].map((x) => x.toLowerCase()))) {
        const list = zone.names.get(name) ?? [];
        if (!list.includes(ip)) list.push(ip);
        zone.names.set(name, list);
      }
      zone.ptr.set(ip, `${c.name.toLowerCase()}.${DNS_DOMAIN}`);
    }
  }
  return { byGateway, dnsOf };
}

/** What a question gets: addresses (A), a name (PTR), no data of that type, no such name, or forwarding. */
export type Lookup =
  | { kind: 'a'; addresses: readonly string[] }
  | { kind: 'ptr'; name: string }
  | { kind: 'nodata' }
  | { kind: 'nxdomain' }
  | { kind: 'forward' };

/** The IPv4 address of a reverse name "d.c.b.a.in-addr.arpa", or undefined. Pure. */
export function reverseAddress(name: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  if (!m || m.slice(1).some((x) => Number(x) > 255 || String(Number(x)) !== x)) return undefined;
  return [m[4], m[3], m[2], m[1]].join('.');
}

/**
 * Answer one question from `zone` (pure; round robin is the caller's rotation). Names are the
 * bare name or NAME.nslab.internal, case-insensitive; a name of nslab's domain or a single
 * label that the zone lacks is NXDOMAIN (never leaked upstream); reverse names of the
 * network's subnet are answered or NXDOMAIN; everything else is forwarded.
 */
export function lookup(zone: NetworkZone, qname: string, qtype: string): Lookup {
  const name = qname.toLowerCase().replace(/\.$/, '');
  const rev = reverseAddress(name);
  if (rev !== undefined) {
    if (!contains(zone.subnet, rev)) return { kind: 'forward' };
    const target = zone.ptr.get(rev);
    if (!target) return { kind: 'nxdomain' };
    return qtype === 'PTR' ? { kind: 'ptr', name: target } : { kind: 'nodata' };
  }
  const inDomain = name === DNS_DOMAIN || name.endsWith(`.${DNS_DOMAIN}`);
  const bare = name.endsWith(`.${DNS_DOMAIN}`) ? name.slice(0, -DNS_DOMAIN.length - 1) : name;
  const addresses = zone.names.get(bare) ?? (inDomain ? undefined : zone.names.get(name));
  if (addresses) return qtype === 'A' || qtype === 'ANY' ? { kind: 'a', addresses } : { kind: 'nodata' };
  if (name === DNS_DOMAIN) return { kind: 'nodata' };
  if (inDomain || (name !== '' && !name.includes('.'))) return { kind: 'nxdomain' };
  return { kind: 'forward' };
}

/**
 * Where a query that is not the zone's goes: the querying container's --dns servers (found
 * by its source address), else nslabd's --dns, else the host's resolvers; never a gateway of
 * nslab's own (a container whose --dns names its gateway would loop) nor a loopback address. Pure.
 */
export function upstreamsFor(z: Zones, source: string, daemonDns: readonly string[], host: readonly string[]): string[] {
  const usable = (list: readonly string[]) => list.filter((ip) => !z.byGateway.has(ip) && !isLoopback(ip));
  for (const list of [z.dnsOf.get(source) ?? [], daemonDns, host]) {
    const u = usable(list);
    if (u.length) return u;
  }
  return [];
}
