// Drift: compare the records with the live kernel, name every difference, and plan the repair
// that restores exactly the recorded state (creates only what is missing: no duplicate rules).
import type { Firewall, FirewallView } from '../firewall/firewall.js';
import { broadcastOf, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import { addAddr, listAddrs, type AddrInfo } from '../kernel/addr.js';
import { ip } from '../exec/command.js';
import { kindOf, listLinks, setAddrGenModeNone, setUp, type LinkInfo } from '../kernel/link.js';
import { etcDir, hostsText, isOurs, readNetnsFile, resolvConfText, writeNetnsFiles } from '../kernel/netns-files.js';
import type { HostView } from '../kernel/observe.js';
import { addDefaultRoute, listRoutes, type RouteInfo } from '../kernel/route.js';
import { readSysctlsIn, setSysctlIn } from '../kernel/sysctl.js';
import { cidrOf, ipv4Subnet, primaryAddress } from '../state/families.js';
import type { ContainerRecord, NetworkRecord, State } from '../state/types.js';
import type { EngineContext } from './context.js';
import { bridgeAlias, parseBridgeAlias, parseVethAlias, vethAlias } from './names.js';
import { firewallOf, firewallSpec, viewOf, type FirewallViews } from './firewalls.js';
import { hasIpv6Stack, isOurBridge, planNetworkCreate } from './plan-network.js';
import { planGc } from './gc.js';
import { setAlias } from '../kernel/link.js';
import { endpointPlan, hostsOf, ipv6OffKey, planContainerCreate, resolvOf } from './plan-container.js';
import { step, type Step } from './step.js';

/** One difference between the records and the kernel. */
export interface Drift {
  /**
   * What kind of object: link, address, route, rule, netns, file, sysctl; `conflict` when a
   * recorded name is held by something that is not this lab's (never repaired: left alone);
   * `unrecorded` for this lab's marked objects that no record explains (`nslab gc` removes them).
   */
  kind: string;
  /** The network or container it belongs to. */
  owner: string;
  /** What is wrong, in the lab's words. */
  what: string;
}

interface Inside {
  links: LinkInfo[];
  addrs: AddrInfo[];
  routes: RouteInfo[];
  /** net.ipv6.conf.ethN.disable_ipv6 of each endpoint's interface that exists. */
  sysctls: Record<string, string>;
}

const hasAddr = (addrs: readonly AddrInfo[], dev: string, cidr: string) =>
  addrs.some((a) => a.ifname === dev && a.addr_info.some((i) => `${i.local}/${i.prefixlen}` === cidr));
const isUp = (l: LinkInfo | undefined) => !!l && l.flags.includes('UP');
/** What a symlinked /etc/netns file is reported as; the repair never writes through it. */
const LINKED = 'is a symbolic link (or in a linked directory); nslab does not write through it: left alone';
const hasIpv6 = (addrs: readonly AddrInfo[], dev: string) => addrs.some((a) => a.ifname === dev && a.addr_info.some((i) => i.family === 'inet6'));

function networkDrift(n: NetworkRecord, view: HostView, live: FirewallView, fw: Firewall): Drift[] {
  const out: Drift[] = [];
  const d = (kind: string, what: string) => out.push({ kind, owner: `network ${n.name}`, what });
  const br = view.links.find((l) => l.ifname === n.bridge);
  if (!br) d('link', `bridge ${n.bridge} is missing`);
  else if (!isOurBridge(br, n)) {
    const other = parseBridgeAlias(br.ifalias);
    const who = other?.owner === 'other' ? `another nslab lab's (lab ${other.lab})` : `not nslab's (${kindOf(br) ?? 'device'}, alias ${br.ifalias ?? 'none'})`;
    d('conflict', `interface ${n.bridge}, the recorded bridge of ${n.name}, is ${who}: left alone, and the network is not repaired`);
    return out;
  } else {
    if (br.ifalias !== bridgeAlias(n.name)) d('link', `bridge ${n.bridge} carries the previous release's alias (no lab id)`);
    if (!isUp(br)) d('link', `bridge ${n.bridge} is down`);
    const v4 = ipv4Subnet(n);
    const cidr = `${v4.gateway}/${(parseCidr4(v4.subnet) as Cidr4).prefix}`;
    if (!hasAddr(view.addrs, n.bridge, cidr)) d('address', `gateway address ${cidr} is missing from ${n.bridge}`);
  }
  if (view.ipForward !== '1') d('sysctl', 'net.ipv4.ip_forward is not 1');
  const spec = firewallSpec(n);
  if (fw.needsBridgeNetfilter(spec) && view.bridgeNfIptables !== '1') d('sysctl', 'net.bridge.bridge-nf-call-iptables is not 1 (ICC off would not be enforced)');
  for (const what of fw.missing(live, spec)) d('rule', what);
  return out;
}

/** A recorded host veth held by a link that is neither this lab's endpoint nor the previous release's. */
function foreignVeth(h: LinkInfo, c: string, ifname: string): boolean {
  const m = parseVethAlias(h.ifalias);
  return kindOf(h) !== 'veth' || !m || m.owner === 'other' || m.container !== c || m.ifname !== ifname;
}

function containerDrift(c: ContainerRecord, state: State, view: HostView, inside: Inside | undefined, host: Parameters<typeof resolvOf>[1]): Drift[] {
  const out: Drift[] = [];
  const d = (kind: string, what: string) => out.push({ kind, owner: `container ${c.name}`, what });
  if (!view.netns.has(c.name)) d('netns', `namespace ${c.name} is missing`);
  const src = c.mode === 'container' ? state.containers[c.shares!] : c;
  if (src) {
    for (const [f, want] of [
      ['resolv.conf', resolvConfText(c.name, resolvOf(src, host))],
      ['hosts', hostsText(c.name, hostsOf(src))],
    ] as const) {
      const have = readNetnsFile(c.name, f);
      if (have === 'symlink') d('file', `${etcDir(c.name, f)} ${LINKED}`);
      else if (have === undefined) d('file', `${etcDir(c.name, f)} is missing`);
      else if (have !== want) d('file', `${etcDir(c.name, f)} was altered`);
    }
  }
  if (c.mode !== 'network' && c.mode !== 'none') return out;
  if (inside && !isUp(inside.links.find((l) => l.ifname === 'lo'))) d('link', 'lo is down inside');
  c.endpoints.forEach((e, i) => {
    const n = state.networks[e.network];
    const h = view.links.find((l) => l.ifname === e.hostVeth);
    if (!h) d('link', `veth ${e.hostVeth} (${e.ifname} on ${e.network}) is missing`);
    else if (foreignVeth(h, c.name, e.ifname)) {
      d('conflict', `interface ${e.hostVeth}, the recorded host end of ${e.ifname}, is not this lab's (alias ${h.ifalias ?? 'none'}): left alone`);
      return;
    } else {
      if (h.ifalias !== vethAlias(c.name, e.ifname)) d('link', `veth ${e.hostVeth} carries the previous release's alias (no lab id)`);
      if (n && h.master !== n.bridge) d('link', `veth ${e.hostVeth} is not on bridge ${n.bridge}`);
      if (!isUp(h)) d('link', `veth ${e.hostVeth} is down`);
      if (n && hasIpv6Stack(n) && (h.inet6_addr_gen_mode !== 'none' || hasIpv6(view.addrs, e.hostVeth))) {
        d('link', `bridge port ${e.hostVeth} makes IPv6 addresses (addrgenmode ${h.inet6_addr_gen_mode ?? '?'}; network ${e.network} has no IPv6)`);
      }
    }
    if (!inside) return;
    const eth = inside.links.find((l) => l.ifname === e.ifname);
    if (!eth) return; // reported with its host end
    if (!isUp(eth)) d('link', `${e.ifname} is down inside`);
    if (n && hasIpv6Stack(n) && inside.sysctls[ipv6OffKey(e.ifname)] !== '1') {
      d('sysctl', `IPv6 is on for ${e.ifname} inside ${c.name} (network ${e.network} has no IPv6): a neighbour's router advertisement could configure it, and ICC off could be bypassed over link-local IPv6`);
    }
    const a = primaryAddress(e);
    if (!hasAddr(inside.addrs, e.ifname, cidrOf(a))) d('address', `${cidrOf(a)} is missing from ${e.ifname}`);
    if (i === 0 && n && !n.internal && a.gateway && !inside.routes.some((r) => r.dst === 'default' && r.gateway === a.gateway && r.dev === e.ifname)) {
      d('route', `default route via ${a.gateway} dev ${e.ifname} is missing`);
    }
  });
  return out;
}

export interface CheckResult {
  drift: Drift[];
  /** Steps that restore the recorded state (empty when there is no drift). */
  repair: Step[];
  /** What check does not look at, and why (a network whose firewall nslab does not manage). */
  notes: string[];
}

/** Compare every recorded network and container with the kernel; plan the repair. */
export async function checkState(ctx: EngineContext, state: State, view: HostView, live: FirewallViews): Promise<CheckResult> {
  const host = ctx.hostResolvers();
  const drift: Drift[] = [];
  const repair: Step[] = [];
  const notes: string[] = [];
  // Networks whose bridge name a foreign link holds: nothing of theirs is repaired (a veth
  // enslaved to that link, or rules naming it, would touch what is not ours).
  const held = new Set<string>();
  for (const n of Object.values(state.networks)) {
    const fw = firewallOf(ctx, n);
    if (!fw.manages) notes.push(`network ${n.name}: the firewall is not managed by nslab (backend ${fw.name}): NAT, isolation, ICC and the source check are yours to set, and are not checked`);
    const nd = networkDrift(n, view, viewOf(live, n), fw);
    drift.push(...nd);
    if (nd.some((x) => x.kind === 'conflict')) held.add(n.name);
    else if (nd.length) repair.push(...planNetworkCreate(n, view, viewOf(live, n), fw).filter((s, i, all) => all.findIndex((o) => o.id === s.id) === i));
  }
  const cx = { nets: state.networks, host, containers: state.containers, hostPid: process.pid };
  for (const c of Object.values(state.containers)) {
    // A namespace of that name without nslab's mark is someone else's: neither read nor repaired
    // (writing the files would even give it the mark).
    if (view.netns.has(c.name) && !isOurs(c.name)) {
      drift.push({ kind: 'netns', owner: `container ${c.name}`, what: `namespace ${c.name} carries no nslab mark (${etcDir(c.name)}): not nslab's, left alone` });
      continue;
    }
    const own = (c.mode === 'network' || c.mode === 'none') && view.netns.has(c.name);
    let inside: Inside | undefined;
    if (own) {
      const [links, addrs, routes, sysctls] = await Promise.all([listLinks(ctx.runner, c.name), listAddrs(ctx.runner, c.name), listRoutes(ctx.runner, c.name),
        readSysctlsIn(ctx.runner, c.name, c.endpoints.map((e) => ipv6OffKey(e.ifname)))]);
      inside = { links, addrs, routes, sysctls };
    }
    const cd = containerDrift(c, state, view, inside, host);
    drift.push(...cd);
    // A linked file means someone else's hand is in /etc/netns/NAME: report, repair nothing of it.
    if (!cd.length || cd.some((x) => x.what.endsWith(LINKED))) continue;
    if (!view.netns.has(c.name)) {
      // Rebuilt whole, with its recorded addresses; not onto a bridge that is not ours.
      if (!c.endpoints.some((e) => held.has(e.network)) && !cd.some((x) => x.kind === 'conflict')) repair.push(...planContainerCreate(c, cx));
      continue;
    }
    if (cd.some((x) => x.kind === 'file')) {
      const src = c.mode === 'container' ? state.containers[c.shares!]! : c;
      repair.push(step(`${c.name}/files`, `rewrite /etc/netns/${c.name}/resolv.conf and hosts`, 0,
        writeNetnsFiles(c.name, resolvConfText(c.name, resolvOf(src, host)), hostsText(c.name, hostsOf(src)))));
    }
    if (!inside) continue;
    const fix = [];
    if (!isUp(inside.links.find((l) => l.ifname === 'lo'))) fix.push(setUp('lo', c.name));
    c.endpoints.forEach((e, i) => {
      const n = state.networks[e.network]!;
      const h = view.links.find((l) => l.ifname === e.hostVeth);
      if (held.has(e.network) || (h && foreignVeth(h, c.name, e.ifname))) return;
      if (h && h.ifalias !== vethAlias(c.name, e.ifname)) repair.push(step(`${e.hostVeth}/mark`, `mark ${e.hostVeth} as this lab's (it carries the previous release's alias)`, 2, [setAlias(e.hostVeth, vethAlias(c.name, e.ifname))]));
      const ep = endpointPlan(c.name, e, n, i === 0);
      if (!h || !inside.links.some((l) => l.ifname === e.ifname)) {
        repair.push(ep.veth, ...ep.ipv6);
        fix.push(...ep.inside);
        return;
      }
      if (h.master !== n.bridge) repair.push(step(`${e.hostVeth}/master`, `put ${e.hostVeth} back on ${n.bridge}`, 2, [ip(['link', 'set', e.hostVeth, 'master', n.bridge, 'up'])]));
      else if (!isUp(h)) repair.push(step(`${e.hostVeth}/up`, `bring ${e.hostVeth} up`, 2, [setUp(e.hostVeth)]));
      if (hasIpv6Stack(n) && (h.inet6_addr_gen_mode !== 'none' || hasIpv6(view.addrs, e.hostVeth))) {
        // addrgenmode none keeps addresses already made: flush them too.
        repair.push({ ...ep.ipv6[0]!, apply: [setAddrGenModeNone(e.hostVeth), ip(['-6', 'addr', 'flush', 'dev', e.hostVeth])] });
      }
      if (hasIpv6Stack(n) && inside.sysctls[ipv6OffKey(e.ifname)] !== '1') repair.push(ep.ipv6[1]!);
      const a = primaryAddress(e);
      const cidr = cidrOf(a);
      if (!hasAddr(inside.addrs, e.ifname, cidr)) fix.push(addAddr(e.ifname, cidr, broadcastOf(parseCidr4(ipv4Subnet(n).subnet) as Cidr4), c.name));
      if (!isUp(inside.links.find((l) => l.ifname === e.ifname))) fix.push(setUp(e.ifname, c.name));
      if (i === 0 && !n.internal && a.gateway && !inside.routes.some((r) => r.dst === 'default' && r.gateway === a.gateway && r.dev === e.ifname)) {
        fix.push(addDefaultRoute(a.gateway, e.ifname, c.name));
      }
    });
    if (fix.length) repair.push(step(`${c.name}/configure`, `restore addresses, routes and links inside ${c.name}`, 3, fix));
  }
  // What carries this lab's mark and no record explains (a run killed before its record was
  // written): named, left to gc, which removes exactly these.
  for (const x of planGc(ctx, state, view, live).removed) {
    drift.push({ kind: 'unrecorded', owner: 'unrecorded', what: `${x} carries this lab's mark but no record explains it (\`nslab gc\` removes it)` });
  }
  return { drift, repair, notes };
}
