// An endpoint on a bridge network: a veth pair (host end a port of the bridge, peer born inside
// as ethN), IPv6 off on both ends, the address and default route inside; and how each reads
// when check finds it missing.
import { hostVethName, parseVethAlias, vethAlias } from '../../engine/names.js';
import { mending, step, type Finding, type Step } from '../../engine/step.js';
import { ip, type Command } from '../../exec/command.js';
import { broadcastOf, parseCidr4, type Cidr4 } from '../../ipam/cidr.js';
import { addAddr, hasAddr } from '../../kernel/addr.js';
import { addVethIntoNetns, delLink, isUp, kindOf, setAddrGenModeNone, setAlias, setUp, type LinkInfo } from '../../kernel/link.js';
import type { HostView } from '../../kernel/observe.js';
import { addDefaultRoute } from '../../kernel/route.js';
import { setSysctlIn } from '../../kernel/sysctl.js';
import { cidrOf, ipv4Subnet, primaryAddress } from '../../state/families.js';
import type { BridgeNetwork, EndpointRecord } from '../../state/types.js';
import type { EndpointSteps, Seen } from '../driver.js';
import { hasIpv6Stack } from './network.js';

/** The sysctl that turns IPv6 off on an interface inside a container. */
export const ipv6OffKey = (ifname: string) => `net.ipv6.conf.${ifname}.disable_ipv6`;

/** The host end of container `c`'s ethN: nv-C-N (hashed when long), not one of `taken`, which it joins. */
export function vethNames(c: string, index: number, taken: Set<string>): Pick<EndpointRecord, 'hostVeth'> {
  return { hostVeth: hostVethName(c, index, (n) => taken.has(n)) };
}

/** A recorded host veth held by a link that is neither this lab's endpoint nor the previous release's: why, in check's words. */
export function vethConflict(c: string, e: EndpointRecord, host: HostView): string | undefined {
  const h = host.links.find((l) => l.ifname === e.hostVeth);
  if (!h) return undefined;
  const m = parseVethAlias(h.ifalias);
  const foreign = kindOf(h) !== 'veth' || !m || m.owner === 'other' || m.container !== c || m.ifname !== e.ifname;
  return foreign ? `interface ${e.hostVeth}, the recorded host end of ${e.ifname}, is not this lab's (alias ${h.ifalias ?? 'none'}): left alone` : undefined;
}

const hasIpv6 = (addrs: HostView['addrs'], dev: string) => addrs.some((a) => a.ifname === dev && a.addr_info.some((i) => i.family === 'inet6'));
/** Does the host end make (or hold) IPv6 addresses? */
const portSpeaksIpv6 = (h: LinkInfo, host: HostView) => h.inet6_addr_gen_mode !== 'none' || hasIpv6(host.addrs, h.ifname);

/**
 * IPv6 off on both ends of an endpoint of a network without IPv6 (all networks, so far), so
 * that ICC off and isolation cannot be bypassed over link-local IPv6 and a neighbour's router
 * advertisement configures nothing. Inside, disable_ipv6=1 on ethN before it goes up (no
 * link-local address is ever made; lo keeps ::1). The host end is a bridge port, whose own
 * IPv6 stack never receives (the bridge takes its frames): addrgenmode none leaves it with
 * no address and silent, with no extra process (a sysctl on the host would be one).
 * None on a network whose MTU is below 1280: the kernel keeps no IPv6 state on such links.
 */
function ipv6Off(c: string, e: EndpointRecord, n: BridgeNetwork): { port: Step; inside: Step } | undefined {
  if (!hasIpv6Stack(n)) return undefined;
  return {
    port: step(`${c}/${e.ifname}/port-no-ipv6`, `no IPv6 address on bridge port ${e.hostVeth} (addrgenmode none: no link-local address, nothing sent from it)`, 'links',
      [setAddrGenModeNone(e.hostVeth)]),
    inside: step(`${c}/${e.ifname}/no-ipv6`, `turn IPv6 off on ${e.ifname} inside ${c} (network ${n.name} has no IPv6): no link-local address to reach it by, no rogue router advertisement obeyed`, 'inside',
      [setSysctlIn(c, { [ipv6OffKey(e.ifname)]: '1' })], [],
      [{ kind: 'sysctl', what: `IPv6 is on for ${e.ifname} inside ${c} (network ${n.name} has no IPv6): a neighbour's router advertisement could configure it, and ICC off could be bypassed over link-local IPv6` }]),
  };
}

/**
 * The endpoint's steps. Without `seen` (a new namespace): the veth, IPv6 off on both ends and
 * the address, link and default route inside (the route only on the first endpoint, and never
 * through an internal network, which has no way out). With `seen`: only what is missing or
 * wrong, each step with the findings that made it needed.
 */
export function attachVeth(c: string, e: EndpointRecord, n: BridgeNetwork, defaultRoute: boolean, seen?: Seen): EndpointSteps {
  const a = primaryAddress(e);
  const cidr = cidrOf(a);
  const brd = broadcastOf(parseCidr4(ipv4Subnet(n).subnet) as Cidr4);
  const route = defaultRoute && !n.internal && a.gateway ? a.gateway : undefined;
  const off = ipv6Off(c, e, n);
  const h = seen?.host.links.find((l) => l.ifname === e.hostVeth);
  const eth = seen?.inside.links.find((l) => l.ifname === e.ifname);
  if (!seen || !h || !eth) {
    const veth = step(`${c}/${e.ifname}`, `create veth ${e.hostVeth} on ${n.bridge} with peer ${e.ifname} inside ${c}`, 'links',
      [
        addVethIntoNetns({ host: e.hostVeth, master: n.bridge, mtu: n.mtu, netns: c, peer: e.ifname, peerMac: e.mac }),
        setAlias(e.hostVeth, vethAlias(c, e.ifname)),
      ],
      [delLink(e.hostVeth)],
      [{ kind: 'link', what: `veth ${e.hostVeth} (${e.ifname} on ${n.name}) is missing` }]);
    const inside = [addAddr(e.ifname, cidr, brd, c), setUp(e.ifname, c), ...(route ? [addDefaultRoute(route, e.ifname, c)] : [])];
    const configure = step(`${c}/${e.ifname}/configure`, `give ${e.ifname} ${cidr}${route ? `, default route via ${route}` : ''} and bring it up in ${c}`, 'inside', inside);
    return { host: [veth, ...(off ? [off.port] : [])], inside: [...(off ? [{ ...off.inside, findings: [] }] : []), configure] };
  }
  const host: Step[] = [];
  const inside: Step[] = [];
  const finding = (kind: string, what: string): Finding => ({ kind, what });
  if (h.ifalias !== vethAlias(c, e.ifname)) {
    host.push(step(`${e.hostVeth}/mark`, `mark ${e.hostVeth} as this lab's (it carries the previous release's alias)`, 'links',
      [setAlias(e.hostVeth, vethAlias(c, e.ifname))], [], [finding('link', `veth ${e.hostVeth} carries the previous release's alias (no lab id)`)]));
  }
  const down = isUp(h) ? [] : [finding('link', `veth ${e.hostVeth} is down`)];
  if (h.master !== n.bridge) {
    host.push(step(`${e.hostVeth}/master`, `put ${e.hostVeth} back on ${n.bridge}`, 'links',
      [ip(['link', 'set', e.hostVeth, 'master', n.bridge, 'up'])], [], [finding('link', `veth ${e.hostVeth} is not on bridge ${n.bridge}`), ...down]));
  } else if (down.length) {
    host.push(step(`${e.hostVeth}/up`, `bring ${e.hostVeth} up`, 'links', [setUp(e.hostVeth)], [], down));
  }
  if (off && portSpeaksIpv6(h, seen.host)) {
    // addrgenmode none keeps addresses already made: flush them too.
    host.push(mending({ ...off.port, apply: [setAddrGenModeNone(e.hostVeth), ip(['-6', 'addr', 'flush', 'dev', e.hostVeth])] },
      finding('link', `bridge port ${e.hostVeth} makes IPv6 addresses (addrgenmode ${h.inet6_addr_gen_mode ?? '?'}; network ${n.name} has no IPv6)`)));
  }
  if (off && seen.inside.sysctls[ipv6OffKey(e.ifname)] !== '1') inside.push(off.inside);
  const fix: Array<[Command, Finding]> = [];
  if (!hasAddr(seen.inside.addrs, e.ifname, cidr)) fix.push([addAddr(e.ifname, cidr, brd, c), finding('address', `${cidr} is missing from ${e.ifname}`)]);
  if (!isUp(eth)) fix.push([setUp(e.ifname, c), finding('link', `${e.ifname} is down inside`)]);
  if (route && !seen.inside.routes.some((r) => r.dst === 'default' && r.gateway === route && r.dev === e.ifname)) {
    fix.push([addDefaultRoute(route, e.ifname, c), finding('route', `default route via ${route} dev ${e.ifname} is missing`)]);
  }
  if (fix.length) {
    inside.push(step(`${c}/${e.ifname}/configure`, `restore ${fix.map(([, f]) => f.what.replace(/ is (missing|down).*/, '')).join(', ')} in ${c}`, 'inside',
      fix.map(([cmd]) => cmd), [], fix.map(([, f]) => f)));
  }
  return { host, inside };
}

/** Steps removing one endpoint while its namespace lives on: its veth (the peer goes with it); `reason` ends the sentence. */
export function detachVeth(c: string, e: EndpointRecord, reason: string): Step[] {
  return [step(`${c}/${e.ifname}`, `delete veth ${e.hostVeth} and its peer ${e.ifname} inside ${c}${reason}`, 'unplug', [delLink(e.hostVeth)])];
}
