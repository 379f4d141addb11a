// Plans for containers: namespace (made, named or shared), veth pairs, addresses, routes, files.
import type { Command } from '../exec/command.js';
import { broadcastOf, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import { addAddr } from '../kernel/addr.js';
import { addVethIntoNetns, delLink, setAddrGenModeNone, setAlias, setUp } from '../kernel/link.js';
import { addNetns, attachNetns, delNetns, netnsMountPoint, removeMountPoint, shareNetns } from '../kernel/netns.js';
import { hostsText, removeNetnsFiles, resolvConfText, writeNetnsFiles, type ResolvSettings } from '../kernel/netns-files.js';
import { addDefaultRoute } from '../kernel/route.js';
import { setSysctlIn } from '../kernel/sysctl.js';
import { cidrOf, ipv4Subnet, primaryAddress } from '../state/families.js';
import type { ContainerRecord, EndpointRecord, NetworkRecord } from '../state/types.js';
import { vethAlias } from './names.js';
import { hasIpv6Stack } from './plan-network.js';
import { step, type Step } from './step.js';

/** The container's resolv.conf: --dns/--dns-search when given, else the host's resolvers. */
export function resolvOf(c: ContainerRecord, host: ResolvSettings): ResolvSettings {
  return {
    nameservers: c.dns.length ? c.dns : host.nameservers,
    search: c.dnsSearch.length ? c.dnsSearch : host.search,
    options: c.dns.length ? [] : host.options,
  };
}

export function hostsOf(c: ContainerRecord): Array<{ ip: string; names: string[] }> {
  const first = c.endpoints[0];
  const own = first ? [{ ip: primaryAddress(first).ip, names: [...new Set([c.hostname, c.name, ...first.aliases])] }] : [];
  return [...own, ...c.addHosts.map((h) => ({ ip: h.ip, names: [h.name] }))];
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

/** The sysctl that turns IPv6 off on an interface inside a container. */
export const ipv6OffKey = (ifname: string) => `net.ipv6.conf.${ifname}.disable_ipv6`;

/**
 * IPv6 off on both ends of an endpoint of a network without IPv6 (all networks, so far), so
 * that ICC off and isolation cannot be bypassed over link-local IPv6 and a neighbour's router
 * advertisement configures nothing. Inside, disable_ipv6=1 on ethN before it goes up (no
 * link-local address is ever made; lo keeps ::1). The host end is a bridge port, whose own
 * IPv6 stack never receives (the bridge takes its frames): addrgenmode none leaves it with
 * no address and silent, with no extra process (a sysctl on the host would be one).
 * None on a network whose MTU is below 1280: the kernel keeps no IPv6 state on such links.
 */
export function ipv6OffSteps(c: string, e: EndpointRecord, n: NetworkRecord): Step[] {
  if (!hasIpv6Stack(n)) return []; // below IPv6's minimum MTU the links have no IPv6 at all
  return [
    step(`${c}/${e.ifname}/port-no-ipv6`, `no IPv6 address on bridge port ${e.hostVeth} (addrgenmode none: no link-local address, nothing sent from it)`, 2,
      [setAddrGenModeNone(e.hostVeth)]),
    step(`${c}/${e.ifname}/no-ipv6`, `turn IPv6 off on ${e.ifname} inside ${c} (network ${n.name} has no IPv6): no link-local address to reach it by, no rogue router advertisement obeyed`, 3,
      [setSysctlIn(c, { [ipv6OffKey(e.ifname)]: '1' })]),
  ];
}

/**
 * One endpoint: the veth (host end on the bridge, peer born inside as ethN; phase 2), IPv6
 * off on both ends (phases 2 and 3), and the commands that configure it inside the namespace
 * (the caller batches them after the IPv6 steps; phase 3).
 */
export function endpointPlan(c: string, e: EndpointRecord, n: NetworkRecord, defaultRoute: boolean): { veth: Step; ipv6: Step[]; inside: Command[] } {
  const subnet = parseCidr4(ipv4Subnet(n).subnet) as Cidr4;
  const a = primaryAddress(e);
  const veth = step(`${c}/${e.ifname}`, `create veth ${e.hostVeth} on ${n.bridge} with peer ${e.ifname} inside ${c}`, 2,
    [
      addVethIntoNetns({ host: e.hostVeth, master: n.bridge, mtu: n.mtu, netns: c, peer: e.ifname, peerMac: e.mac }),
      setAlias(e.hostVeth, vethAlias(c, e.ifname)),
    ],
    [delLink(e.hostVeth)]);
  const inside = [addAddr(e.ifname, cidrOf(a), broadcastOf(subnet), c), setUp(e.ifname, c)];
  // An internal network has no way out, so no default route through it.
  if (defaultRoute && !n.internal && a.gateway) inside.push(addDefaultRoute(a.gateway, e.ifname, c));
  return { veth, ipv6: ipv6OffSteps(c, e, n), inside };
}

/**
 * Steps that build one container from nothing. Phases let many containers share batches:
 * 0 files, 1 namespaces, 2 veths (host side) or shared mounts, 3 configuration inside.
 */
export function planContainerCreate(c: ContainerRecord, cx: ContainerContext): Step[] {
  const src = c.mode === 'container' ? cx.containers[c.shares!]! : c; // a sharer shows its host's files
  const files = step(`${c.name}/files`, `write /etc/netns/${c.name}/resolv.conf and hosts`, 0,
    writeNetnsFiles(c.name, resolvConfText(c.name, resolvOf(src, cx.host)), hostsText(c.name, hostsOf(src))),
    [removeNetnsFiles(c.name)]);
  if (c.mode === 'host') {
    return [files, step(`${c.name}/netns`, `name the host's own network namespace ${c.name} (nothing else is created)`, 1,
      [attachNetns(c.name, cx.hostPid)], [delNetns(c.name)])];
  }
  if (c.mode === 'container') {
    return [
      files,
      step(`${c.name}/netns`, `create the mount point /run/netns/${c.name}`, 1, [netnsMountPoint(c.name)], [removeMountPoint(c.name)]),
      step(`${c.name}/share`, `bind ${c.shares}'s network namespace to the name ${c.name} (same interfaces, addresses and MACs)`, 2,
        [shareNetns(c.shares!, c.name)], [delNetns(c.name)]),
    ];
  }
  const steps: Step[] = [files, step(`${c.name}/netns`, `create network namespace ${c.name}`, 1, [addNetns(c.name)], [delNetns(c.name)])];
  const inside = [setUp('lo', c.name)];
  c.endpoints.forEach((e, i) => {
    const ep = endpointPlan(c.name, e, cx.nets[e.network]!, i === 0);
    steps.push(ep.veth, ...ep.ipv6);
    inside.push(...ep.inside);
  });
  const first = c.endpoints[0];
  const gw = first && !cx.nets[first.network]!.internal ? primaryAddress(first).gateway : undefined;
  const route = gw ? `, default route via ${gw}` : '';
  steps.push(step(`${c.name}/configure`, `bring up lo${c.endpoints.map((e) => ` and ${e.ifname} ${cidrOf(primaryAddress(e))}`).join('')}${route} in ${c.name}`, 3, inside));
  return steps;
}

/**
 * Steps that remove a container: its namespace's name (the namespace and its veth pairs go
 * with it unless something else holds it), then its files. `vethsFirst` are host ends to
 * delete explicitly first: those of a namespace another container still shares.
 */
export function planContainerRemove(name: string, netnsExists: boolean, vethsFirst: readonly string[] = []): Step[] {
  const steps: Step[] = vethsFirst.map((v) => step(`${name}/${v}`, `delete veth ${v} (the namespace outlives ${name}: it is shared)`, 0, [delLink(v)]));
  if (netnsExists) steps.push(step(`${name}/netns`, `delete network namespace ${name} (its veth pairs go with it)`, 1, [delNetns(name)]));
  steps.push(step(`${name}/files`, `remove /etc/netns/${name}`, 2, [removeNetnsFiles(name)]));
  return steps;
}
