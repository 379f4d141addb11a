// Rebuild the record from the kernel objects that carry nslab's mark (after a corrupt state file).
import { readFileSync, statSync } from 'node:fs';
import { bigToIp, rangeOf } from '../ipam/cidr.js';
import { ipv4Of, listAddrs } from '../kernel/addr.js';
import { kindOf, listLinks } from '../kernel/link.js';
import { NETNS_DIR } from '../kernel/netns.js';
import { etcDir, parseResolvConf } from '../kernel/netns-files.js';
import type { HostView } from '../kernel/observe.js';
import { ipv4Subnet, primaryAddress } from '../state/families.js';
import { emptyState, type ContainerRecord, type NetworkRecord, type State } from '../state/types.js';
import type { EngineContext } from './context.js';
import type { FirewallViews } from './firewalls.js';
import { newId, parseBridgeAlias, parseVethAlias } from './names.js';
import { findMarked } from './sweep.js';

const inode = (p: string) => {
  try {
    return statSync(p).ino;
  } catch {
    return undefined;
  }
};
/** A veth alias of this lab's naming container `c` (another lab's or the old format's are not adopted). */
const isMine = (alias: string | undefined, c: string) => {
  const m = parseVethAlias(alias);
  return m?.owner === 'mine' && m.container === c;
};

/**
 * Only this lab's marks are read: its id is kept in the `lab-id` file, which a corrupt
 * state.json does not take along. Networks from bridges aliased nslab:LAB:network:NAME
 * (subnet and gateway from the bridge's address, MTU from the link, masquerade/icc/internal
 * from the rules); containers from marked /etc/netns entries and veths aliased
 * nslab:LAB:endpoint:NAME:ethN (addresses and MACs read inside). What the kernel does not hold — ip-range, aux addresses, --dns given by hand — is
 * lost, and said so in `notes`.
 */
export async function rebuildFromMarks(ctx: EngineContext, view: HostView, live: FirewallViews): Promise<{ state: State; notes: string[] }> {
  const state = emptyState();
  const notes: string[] = [];
  const now = new Date().toISOString();
  for (const br of view.links.filter((l) => kindOf(l) === 'bridge' && parseBridgeAlias(l.ifalias)?.owner === 'mine')) {
    const name = parseBridgeAlias(br.ifalias)!.network;
    const addr = ipv4Of(view.addrs).find((a) => a.ifname === br.ifname);
    if (!addr) {
      notes.push(`bridge ${br.ifname} (network ${name}) has no address: skipped`);
      continue;
    }
    const prefix = Number(addr.cidr.split('/')[1]);
    const subnet = `${bigToIp(rangeOf(addr.cidr)!.first)}/${prefix}`;
    // The backend whose rules name the network holds it; with none, the default one (whose
    // check then names the missing rules), and settings as rules-less as the kernel shows.
    const found = [...live].map(([b, v]) => [b, ctx.firewalls[b].rulesOf(v, name)] as const).find(([, r]) => r);
    const firewall = found?.[0] ?? ctx.firewallDefault;
    const rules = found?.[1] ?? { masquerade: false, icc: true, internal: false };
    if (!found && !ctx.firewalls[firewall].manages) notes.push(`network ${name}: its firewall is not nslab's (backend ${firewall}): masquerade, icc and internal could not be recovered`);
    state.networks[name] = {
      name, id: newId(), driver: 'bridge', bridge: br.ifname, subnets: [{ subnet, gateway: addr.local, auxAddresses: {} }], mtu: br.mtu,
      masquerade: rules.masquerade, icc: rules.icc, internal: rules.internal, firewall, created: now,
    } satisfies NetworkRecord;
  }
  const byBridge = new Map(Object.values(state.networks).map((n) => [n.bridge, n]));
  const marked = findMarked(view.links, view.netns);
  const hostIno = inode('/proc/self/ns/net');
  const inodes = new Map(marked.netns.map((n) => [n, inode(`${NETNS_DIR}/${n}`)]));
  for (const name of marked.netns) {
    const veths = view.links.filter((l) => isMine(l.ifalias, name));
    const rec: ContainerRecord = {
      name, id: newId(), mode: 'network', status: 'ready', endpoints: [], hostname: name, dns: [], dnsSearch: [], addHosts: [], request: {}, created: now,
    };
    if (veths.length) {
      const [links, addrs] = await Promise.all([listLinks(ctx.runner, name), listAddrs(ctx.runner, name)]);
      for (const v of veths.sort((a, b) => a.ifname.localeCompare(b.ifname))) {
        const ifname = parseVethAlias(v.ifalias)!.ifname;
        const net = v.master ? byBridge.get(v.master) : undefined;
        const a = ipv4Of(addrs).find((x) => x.ifname === ifname);
        if (!net || !a) {
          notes.push(`container ${name}: ${ifname} has no network or address: skipped`);
          continue;
        }
        rec.endpoints.push({
          network: net.name, ifname, hostVeth: v.ifname, addresses: [{ ip: a.local, prefix: Number(a.cidr.split('/')[1]), gateway: ipv4Subnet(net).gateway }],
          mac: links.find((l) => l.ifname === ifname)?.address ?? '', aliases: [],
        });
      }
      rec.request = { network: rec.endpoints[0]?.network };
    } else if (inodes.get(name) === hostIno) {
      rec.mode = 'host';
    } else {
      const other = marked.netns.find((o) => o !== name && inodes.get(o) === inodes.get(name) && view.links.some((l) => isMine(l.ifalias, o)));
      if (other) Object.assign(rec, { mode: 'container', shares: other });
      else rec.mode = 'none';
    }
    rec.request = { ...rec.request, network: rec.mode === 'network' ? rec.endpoints[0]?.network : rec.mode === 'container' ? `container:${rec.shares}` : rec.mode };
    try {
      const hosts = readFileSync(`${etcDir(name)}/hosts`, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
      const own = rec.endpoints[0] ? hosts.find((l) => l.startsWith(`${primaryAddress(rec.endpoints[0]!).ip}\t`)) : undefined;
      if (own) rec.hostname = own.split('\t')[1]!.split(' ')[0]!;
      const resolv = parseResolvConf(readFileSync(`${etcDir(name)}/resolv.conf`, 'utf8'));
      const host = ctx.hostResolvers();
      if (resolv.nameservers.join() !== host.nameservers.join()) rec.dns = [...resolv.nameservers];
    } catch {
      /* files are optional for the record */
    }
    state.containers[name] = rec;
  }
  const old = marked.legacy.etc.length + marked.legacy.veths.length + marked.legacy.bridges.length;
  if (old) notes.push(`${old} object(s) carry the marks of an nslab release before lab ids (no lab named): not adopted; \`nslab gc\` lists them`);
  if (Object.keys(state.networks).length) notes.push('ip-range and aux addresses are not held by the kernel, so they could not be recovered; recreate a network to set them again');
  return { state, notes };
}
