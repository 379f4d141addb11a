// Rebuild the record from the kernel objects that carry nslab's mark (after a corrupt state file).
import { readFileSync, statSync } from 'node:fs';
import type { AdoptedFirewall } from '../drivers/driver.js';
import { DRIVER_NAMES, driverByName } from '../drivers/registry.js';
import { listAddrs } from '../kernel/addr.js';
import { listLinks } from '../kernel/link.js';
import { NETNS_DIR } from '../kernel/netns.js';
import { etcDir, parseHostsParts, parseResolvConf } from '../kernel/netns-files.js';
import type { HostView } from '../kernel/observe.js';
import { primaryAddress } from '../state/families.js';
import { emptyState, type ContainerRecord, type State } from '../state/types.js';
import type { EngineContext } from './context.js';
import type { FirewallViews } from './firewalls.js';
import { newId } from './names.js';
import { resolvOf } from './plan-container.js';
import { findMarked } from './sweep.js';

const inode = (p: string) => {
  try {
    return statSync(p).ino;
  } catch {
    return undefined;
  }
};
/**
 * Only this lab's marks are read: its id is kept in the `lab-id` file, which a corrupt
 * state.json does not take along. Each driver adopts the networks its marks describe (the
 * firewall backend whose rules name a network says its masquerade/icc/internal); containers
 * come from marked /etc/netns entries, their endpoints from each driver's marks (addresses and
 * MACs read inside), their mode from namespace inodes. What the kernel does not hold —
 * ip-range, aux addresses, --dns given by hand — is lost, and said so in `notes`.
 */
export async function rebuildFromMarks(ctx: EngineContext, view: HostView, live: FirewallViews): Promise<{ state: State; notes: string[] }> {
  const state = emptyState();
  const notes: string[] = [];
  const now = new Date().toISOString();
  const firewallFor = (name: string): AdoptedFirewall => {
    // The backend whose rules name the network holds it; with none, the default one (whose
    // check then names the missing rules), and settings as rules-less as the kernel shows.
    const found = [...live].map(([b, v]) => [b, ctx.firewalls[b].rulesOf(v, name)] as const).find(([, r]) => r);
    const backend = found?.[0] ?? ctx.firewallDefault;
    if (!found && !ctx.firewalls[backend].manages) notes.push(`network ${name}: its firewall is not nslab's (backend ${backend}): masquerade, icc and internal could not be recovered`);
    return { backend, ...(found?.[1] ?? { masquerade: false, icc: true, internal: false }) };
  };
  for (const d of DRIVER_NAMES.map(driverByName)) for (const n of d.adopt(view, firewallFor, notes)) state.networks[n.name] = n;
  const nets = Object.values(state.networks);
  const marked = findMarked(view.links, view.netns);
  const hostIno = inode('/proc/self/ns/net');
  const inodes = new Map(marked.netns.map((n) => [n, inode(`${NETNS_DIR}/${n}`)]));
  for (const name of marked.netns) {
    const drivers = DRIVER_NAMES.map(driverByName).filter((d) => d.markedFor(name, view).length);
    const rec: ContainerRecord = {
      name, id: newId(), mode: 'network', status: 'ready', endpoints: [], hostname: name, dns: [], dnsSearch: [], addHosts: [], ports: [], request: {}, created: now,
    };
    if (drivers.length) {
      const [links, addrs] = await Promise.all([listLinks(ctx.runner, name), listAddrs(ctx.runner, name)]);
      for (const d of drivers) rec.endpoints.push(...d.adoptEndpoints(name, view, { links, addrs }, nets.filter((n) => n.driver === d.name), notes));
      rec.endpoints.sort((a, b) => Number(a.ifname.slice(3)) - Number(b.ifname.slice(3)));
      rec.request = { network: rec.endpoints[0]?.network };
    } else if (inodes.get(name) === hostIno) {
      rec.mode = 'host';
    } else {
      const other = marked.netns.find((o) => o !== name && inodes.get(o) === inodes.get(name) && DRIVER_NAMES.some((d) => driverByName(d).markedFor(o, view).length));
      if (other) Object.assign(rec, { mode: 'container', shares: other });
      else rec.mode = 'none';
    }
    rec.request = { ...rec.request, network: rec.mode === 'network' ? rec.endpoints[0]?.network : rec.mode === 'container' ? `container:${rec.shares}` : rec.mode };
    try {
      const text = readFileSync(`${etcDir(name)}/hosts`, 'utf8');
      const parts = parseHostsParts(text);
      const hosts = text.split('\n').filter((l) => l && !l.startsWith('#'));
      const own = rec.endpoints[0] ? hosts.find((l) => l.startsWith(`${primaryAddress(rec.endpoints[0]!).ip}\t`)) : undefined;
      if (own) rec.hostname = own.split('\t')[1]!.split(' ')[0]!;
      // Aliases follow hostname and name on the container's own line: the first endpoint's. No
      // file holds another endpoint's, so each gets these, as \`create --alias\` gives them to every
      // network (an alias given later by \`network connect --alias\` cannot be told apart).
      const self = parts.self[0];
      if (self && rec.endpoints[0] && self.ip === primaryAddress(rec.endpoints[0]).ip) {
        const aliases = self.names.slice(1).filter((n) => n !== name);
        for (const e of rec.endpoints) e.aliases = [...aliases];
      }
      // --link and --add-host entries are read back from their parts of the file (names are checked as records are).
      const links = parts.links.map((e) => ({ container: e.names[e.names.length - 1]!, alias: e.names[0]! }));
      if (links.length) rec.links = links;
      rec.addHosts = parts.extra.map((e) => ({ name: e.names[0]!, ip: e.ip }));
      const resolv = parseResolvConf(readFileSync(`${etcDir(name)}/resolv.conf`, 'utf8'));
      const host = ctx.hostResolvers();
      // On nslab networks the first nameserver is a gateway (nslabd's DNS), then at most two more.
      const gateways = new Set(Object.values(state.networks).flatMap((n) => n.subnets.map((s) => s.gateway)));
      const viaGateway = gateways.has(resolv.nameservers[0] ?? '');
      const ns = viaGateway ? resolv.nameservers.slice(1) : resolv.nameservers;
      const hostNs = viaGateway ? host.nameservers.filter((n) => n !== resolv.nameservers[0]).slice(0, ns.length) : host.nameservers;
      if (ns.join() !== hostNs.join()) rec.dns = [...ns];
      // --dns-search and --dns-option: what the file holds beyond what the container would get
      // without them (a sharer's file is its host's: nothing of its own to read).
      const plain = resolvOf({ ...rec, dnsSearch: [], dnsOptions: [] }, host);
      if (rec.mode !== 'container' && resolv.search.join() !== plain.search.join()) rec.dnsSearch = [...resolv.search];
      if (rec.mode !== 'container' && resolv.options.join() !== plain.options.join()) rec.dnsOptions = [...resolv.options];
    } catch {
      /* files are optional for the record */
    }
    state.containers[name] = rec;
  }
  // Published ports: the DNAT rules carry the container's name and say host side and target.
  for (const [b, v] of live) {
    for (const p of ctx.firewalls[b].portsOf(v)) {
      const rec = state.containers[p.container];
      if (rec) rec.ports = p.ports.map((m) => ({ ...m }));
    }
  }
  const old = marked.legacy.etc.length + marked.legacy.veths.length + marked.legacy.bridges.length;
  if (old) notes.push(`${old} object(s) carry the marks of an nslab release before lab ids (no lab named): not adopted; \`nslab gc\` lists them`);
  if (Object.keys(state.networks).length) notes.push('ip-range and aux addresses are not held by the kernel, so they could not be recovered; recreate a network to set them again');
  if (Object.values(state.containers).some((c) => c.endpoints.length > 1)) notes.push('aliases are read from each container\'s hosts file, which holds its first network\'s: every network of a container gets those (an alias given by `network connect --alias` alone is not held anywhere)');
  return { state, notes };
}
