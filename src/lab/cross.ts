// What a lab file gets wrong between its entries, decided from the file alone (what exists on the
// host is the engine's to judge): addresses outside their subnet or given twice, overlapping
// subnets, a host port published twice, a link across no shared network.
import { NslabError } from '../errors.js';
import { checkStatic } from '../ipam/allocator.js';
import { bigToIp, contains, overlaps } from '../ipam/cidr.js';
import { checkLinks } from '../engine/containers.js';
import { clash, hostSide, parsePublish } from '../engine/publish.js';
import { emptyState, type ContainerRecord, type EndpointRecord, type PortRecord } from '../state/types.js';
import type { CtrEntry, NetEntry } from './entries.js';
import type { Problems } from './problems.js';

/** Two networks of the file whose subnets overlap (a sweep over the subnets in address order). */
function subnets(p: Problems, nets: readonly NetEntry[]): void {
  const given = nets.filter((n) => n.spec.subnet).sort((a, b) => (a.spec.subnet!.first < b.spec.subnet!.first ? -1 : 1));
  let widest: NetEntry | undefined;
  for (const n of given) {
    const s = n.spec.subnet!;
    // The same words as `network create` uses for a recorded network.
    if (widest && overlaps(widest.spec.subnet!, s)) p.add(['networks', n.input.name, 'subnet'], `${s.text} overlaps network ${widest.input.name} (${widest.spec.subnet!.text})`);
    if (!widest || s.last > widest.spec.subnet!.last) widest = n;
  }
}

/** Each container's ip against its first network's subnet, range, gateway and aux addresses, and the other containers' ips. */
function addresses(p: Problems, nets: ReadonlyMap<string, NetEntry>, ctrs: readonly CtrEntry[]): void {
  const used = new Map<string, Map<string, string>>();
  for (const c of ctrs) {
    const n = c.spec.ip === undefined ? undefined : nets.get(c.spec.networks[0] ?? '');
    const subnet = n?.spec.subnet;
    if (!n || !subnet) continue;
    const ip = c.spec.ip!;
    const taken = used.get(n.input.name) ?? new Map<string, string>();
    used.set(n.input.name, taken);
    const reserved = new Set([n.spec.gateway ?? bigToIp(subnet.first + 1n), ...Object.values(n.spec.auxAddresses)]);
    const why = contains(subnet, ip) ? checkStatic({ subnet, range: n.spec.ipRange, reserved, used: taken as unknown as ReadonlySet<string> }, ip) : `${ip} is not in network ${n.input.name} (${subnet.text})`;
    if (why) p.add(['containers', c.input.name, 'ip'], taken.has(ip) && !reserved.has(ip) ? `${why} (by container ${taken.get(ip)})` : why);
    else taken.set(ip, c.input.name);
  }
}

/** A host port claimed twice in the file (the engine refuses the same against the records). */
function ports(p: Problems, ctrs: readonly CtrEntry[]): void {
  const claims = new Map<string, Array<{ p: PortRecord; who: string }>>();
  for (const c of ctrs) {
    (c.input.ports ?? []).forEach((text, i) => {
      const mine: Array<{ p: PortRecord; who: string }> = [];
      for (const m of parsePublish(text)) {
        const key = `${m.protocol}/${m.hostPort}`;
        const other = (claims.get(key) ?? []).find((x) => clash(x.p, m)) ?? mine.find((x) => clash(x.p, m));
        if (other) {
          const same = other.who === c.input.name;
          return p.add(['containers', c.input.name, 'ports', i], `host port ${hostSide(m)} ${same ? 'is given twice (or in overlapping ranges)' : `is already published by ${other.who} (${hostSide(other.p)})`}`);
        }
        mine.push({ p: m, who: c.input.name });
      }
      for (const x of mine) claims.set(`${x.p.protocol}/${x.p.hostPort}`, [...(claims.get(`${x.p.protocol}/${x.p.hostPort}`) ?? []), x]);
    });
  }
}

/** Links to a container of the file that shares no network (one not in the file may be recorded: the engine's to judge). */
function links(p: Problems, ctrs: readonly CtrEntry[]): void {
  const linking = ctrs.filter((c) => c.spec.links.length);
  if (!linking.length) return;
  // Just what the engine's check reads of a record: name, mode, networks.
  const rec = (c: CtrEntry, only?: number): ContainerRecord => ({
    name: c.spec.name, mode: c.spec.mode, ...(c.spec.shares ? { shares: c.spec.shares } : {}),
    endpoints: c.spec.networks.map((network) => ({ network }) as EndpointRecord),
    links: only === undefined ? c.spec.links : [c.spec.links[only]!],
  }) as ContainerRecord;
  const all = ctrs.map((c) => rec(c));
  for (const c of linking) {
    c.spec.links.forEach((_, i) => {
      try {
        checkLinks(rec(c, i), emptyState(), all);
      } catch (e) {
        if (!(e instanceof NslabError) || e.kind !== 'invalid') return; // not in the file: perhaps recorded
        p.add(['containers', c.input.name, 'links', i], e.message.replace(/^link: /, ''));
      }
    });
  }
}

/** Every problem between the entries of a file (each entry already parsed on its own). */
export function crossCheck(p: Problems, nets: readonly NetEntry[], ctrs: readonly CtrEntry[]): void {
  subnets(p, nets);
  addresses(p, new Map(nets.map((n) => [n.input.name, n])), ctrs);
  ports(p, ctrs);
  links(p, ctrs);
}
