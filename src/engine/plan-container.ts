// Plans for containers: the namespace (made, named or shared), its files and lo; each endpoint
// is its network driver's. Planned from nothing (create) or against what check saw (repair).
import { driverOf } from '../drivers/registry.js';
import type { InsideView, Seen } from '../drivers/driver.js';
import { isUp, setUp } from '../kernel/link.js';
import { addNetns, attachNetns, delNetns, netnsMountPoint, removeMountPoint, shareNetns } from '../kernel/netns.js';
import { hostsText, removeNetnsFiles, resolvConfText, writeNetnsFiles, type HostsEntry, type HostsParts, type ResolvSettings } from '../kernel/netns-files.js';
import type { HostView } from '../kernel/observe.js';
import { DNS_DOMAIN } from '../dns/domain.js';
import { own } from '../state/dict.js';
import { primaryAddress } from '../state/families.js';
import type { ContainerRecord, EndpointRecord, NetworkRecord } from '../state/types.js';
import { step, type Finding, type Step } from './step.js';

/** glibc reads at most three nameserver lines (MAXNS). */
const MAXNS = 3;

/**
 * The container's resolv.conf (pure: check compares it). On nslab networks: its first
 * network's gateway first (nslabd's DNS server), then as fallback its --dns servers or else
 * the host's resolvers (with nslabd stopped the gateway's closed port answers "unreachable"
 * and the resolver moves on), at most three; search: --dns-search, else the host's list plus
 * nslab's domain; options: --dns-option, else the host's unless --dns was given. Host and
 * none containers: --dns or the host's resolvers, as before.
 */
export function resolvOf(c: ContainerRecord, host: ResolvSettings): ResolvSettings {
  const upstream = c.dns.length ? c.dns : host.nameservers;
  const gateway = c.mode === 'network' && c.endpoints[0] ? primaryAddress(c.endpoints[0]).gateway : undefined;
  return {
    nameservers: gateway ? [...new Set([gateway, ...upstream])].slice(0, MAXNS) : upstream,
    search: c.dnsSearch.length ? c.dnsSearch : gateway ? [...host.search.filter((d) => d !== DNS_DOMAIN), DNS_DOMAIN] : host.search,
    options: c.dnsOptions?.length ? c.dnsOptions : c.dns.length ? [] : host.options,
  };
}

/** `o`'s address on the first of `c`'s networks that `o` is on too, or undefined when they share none. */
function sharedAddress(c: ContainerRecord, o: ContainerRecord): string | undefined {
  for (const e of c.endpoints) {
    const theirs = o.endpoints.find((x) => x.network === e.network);
    if (theirs) return primaryAddress(theirs).ip;
  }
  return undefined;
}

/**
 * What `c`'s hosts file says, from the records in `containers`: its own address (hostname,
 * name, aliases), every other container on one of its networks by name, its links (a link
 * to a container it no longer shares a network with is left out) and its --add-host
 * entries. Aliases of others are not listed: they are the embedded DNS server's, which
 * answers one alias with several addresses in turn (a hosts line would always win).
 */
export function hostsOf(c: ContainerRecord, containers: Readonly<Record<string, ContainerRecord>>): HostsParts {
  const first = c.endpoints[0];
  const self = first ? [{ ip: primaryAddress(first).ip, names: [...new Set([c.hostname, c.name, ...first.aliases])] }] : [];
  const peers: HostsEntry[] = [];
  if (c.endpoints.length) {
    const nets = new Set(c.endpoints.map((e) => e.network));
    for (const o of Object.values(containers)) {
      if (o.name === c.name || !o.endpoints.some((e) => nets.has(e.network))) continue;
      const ip = sharedAddress(c, o);
      if (ip) peers.push({ ip, names: [o.name] });
    }
    peers.sort((a, b) => (a.names[0]! < b.names[0]! ? -1 : 1));
  }
  const links = (c.links ?? []).flatMap((l) => {
    const o = own(containers, l.container);
    const ip = o && sharedAddress(c, o);
    return ip ? [{ ip, names: [...new Set([l.alias, l.container])] }] : [];
  });
  return { self, peers, links, extra: c.addHosts.map((h) => ({ ip: h.ip, names: [h.name] })) };
}

/** What planning a container needs besides its record. */
export interface ContainerContext {
  readonly nets: Record<string, NetworkRecord>;
  readonly host: ResolvSettings;
  /** Other containers by name (whose namespace a container:OTHER one shares). */
  readonly containers: Record<string, ContainerRecord>;
  /** A process in the host's namespace (ours), for `ip netns attach` of host-mode containers. */
  readonly hostPid: number;
}

/** What check saw of one container: the host, inside its namespace (when it has its own and it exists), and its /etc/netns files. */
export interface ContainerSeen {
  host: HostView;
  inside?: InsideView;
  /** What each file holds: its text, 'symlink', or undefined when missing. */
  files: Record<'resolv.conf' | 'hosts', string | undefined>;
}

/** The text of the container's /etc/netns files (a sharer shows its host's). */
export function filesOf(c: ContainerRecord, cx: ContainerContext): Record<'resolv.conf' | 'hosts', string> {
  return { 'resolv.conf': resolvFileOf(c, cx), hosts: hostsFileOf(c, cx.containers)! };
}

/** The text of `c`'s resolv.conf (a sharer shows its host's). */
const resolvFileOf = (c: ContainerRecord, cx: ContainerContext): string => resolvConfText(c.name, resolvOf(sourceOf(c, cx.containers)!, cx.host));

/** Whose settings `c`'s files show: its own, or for container:OTHER, OTHER's (undefined when OTHER is not in `containers`). */
const sourceOf = (c: ContainerRecord, containers: Readonly<Record<string, ContainerRecord>>) => (c.mode === 'container' ? own(containers, c.shares!) : c);

/** The text of `c`'s hosts file from the records in `containers`, or undefined when a container:OTHER one's OTHER is not there. */
export function hostsFileOf(c: ContainerRecord, containers: Readonly<Record<string, ContainerRecord>>): string | undefined {
  const src = sourceOf(c, containers);
  return src && hostsText(c.name, hostsOf(src, containers));
}

/**
 * One endpoint's steps by its network's driver: host side (phase links), then inside (phase
 * inside); from nothing, or only what `seen` lacks.
 */
export function endpointSteps(c: string, e: EndpointRecord, n: NetworkRecord, defaultRoute: boolean, seen?: Seen): Step[] {
  const s = driverOf(n).attach(c, e, n, defaultRoute, seen);
  return [...s.host, ...s.inside];
}

/**
 * Steps that build one container, phased so that many containers share batches: files,
 * namespaces, host links or shared mounts, configuration inside. With `seen` (check), only
 * what is missing, each step with the findings that made it needed: a missing namespace is
 * rebuilt whole, with its recorded addresses. Endpoints `leaveAlone` says are not ours to touch are skipped.
 */
export function planContainer(c: ContainerRecord, cx: ContainerContext, seen?: ContainerSeen, leaveAlone: (e: EndpointRecord) => boolean = () => false): Step[] {
  const steps: Step[] = [];
  if (!seen) {
    // A new container's hosts text is made when it is written (writeLater): `cx` does not change
    // until then, and a plan of many containers does not hold every file's text at once.
    steps.push(step(`${c.name}/files`, `write /etc/netns/${c.name}/resolv.conf and hosts`, 'files',
      writeNetnsFiles(c.name, resolvFileOf(c, cx), () => hostsFileOf(c, cx.containers)!), [removeNetnsFiles(c.name)]));
  } else {
    const want = filesOf(c, cx);
    const fileFindings: Finding[] = (['resolv.conf', 'hosts'] as const).flatMap((f) => {
      const have = seen.files[f];
      if (have === want[f]) return [];
      return [{ kind: 'file', what: `/etc/netns/${c.name}/${f} ${have === undefined ? 'is missing' : 'was altered'}` }];
    });
    if (fileFindings.length) {
      steps.push(step(`${c.name}/files`, `write /etc/netns/${c.name}/resolv.conf and hosts`, 'files',
        writeNetnsFiles(c.name, want['resolv.conf'], want.hosts), [], fileFindings));
    }
  }
  const netnsMissing = !!seen && !seen.host.netns.has(c.name);
  const made = !seen || netnsMissing; // the namespace is (re)made by this plan
  const missing: Finding[] = netnsMissing ? [{ kind: 'netns', what: `namespace ${c.name} is missing` }] : [];
  if (c.mode === 'host') {
    if (made) steps.push(step(`${c.name}/netns`, `name the host's own network namespace ${c.name} (nothing else is created)`, 'netns', [attachNetns(c.name, cx.hostPid)], [delNetns(c.name)], missing));
    return steps;
  }
  if (c.mode === 'container') {
    if (made) {
      steps.push(
        step(`${c.name}/netns`, `create the mount point /run/netns/${c.name}`, 'netns', [netnsMountPoint(c.name)], [removeMountPoint(c.name)], missing),
        step(`${c.name}/share`, `bind ${c.shares}'s network namespace to the name ${c.name} (same interfaces, addresses and MACs)`, 'links',
          [shareNetns(c.shares!, c.name)], [delNetns(c.name)]),
      );
    }
    return steps;
  }
  if (made) steps.push(step(`${c.name}/netns`, `create network namespace ${c.name}`, 'netns', [addNetns(c.name)], [delNetns(c.name)], missing));
  const inside = made ? undefined : seen.inside;
  if (!inside || !isUp(inside.links.find((l) => l.ifname === 'lo'))) {
    steps.push(step(`${c.name}/lo`, `bring up lo in ${c.name}`, 'inside', [setUp('lo', c.name)], [], inside ? [{ kind: 'link', what: 'lo is down inside' }] : []));
  }
  c.endpoints.forEach((e, i) => {
    if (leaveAlone(e)) return;
    steps.push(...endpointSteps(c.name, e, cx.nets[e.network]!, i === 0, inside && { host: seen!.host, inside }));
  });
  return steps;
}

/**
 * Steps that remove a container: its namespace's name (the namespace and its veth pairs go
 * with it unless something else holds it), then its files. `detachFirst`: the endpoints'
 * steps to run first, for a namespace another container still shares.
 */
export function planContainerRemove(name: string, netnsExists: boolean, detachFirst: readonly Step[] = []): Step[] {
  const steps: Step[] = [...detachFirst];
  if (netnsExists) steps.push(step(`${name}/netns`, `delete network namespace ${name} (its veth pairs go with it)`, 'drop-netns', [delNetns(name)]));
  steps.push(step(`${name}/files`, `remove /etc/netns/${name}`, 'drop-files', [removeNetnsFiles(name)]));
  return steps;
}
