// Grading one container's namespace by topology: its interface is whichever link inside holds its
// address; attached means that link's veth peer on the host is a port of the network's bridge.
import type { ContainerSpec } from '../engine/inputs.js';
import { broadcastOf, contains } from '../ipam/cidr.js';
import { fail, pass, type Finding } from './finding.js';
import { addAddrCmd, defaultRouteCmd, delAddrCmd, inNs, linkUpCmd, steps, vethPairCmds } from './hints.js';
import type { NetFacts } from './network.js';
import { ipv4In, isUpLink, linkOf, type KernelView, type NsView, type SeenLink } from './view.js';

/** What grading a container found out: its address on each network (for the other containers' hosts checks). */
export interface Seen {
  addresses: Record<string, string>;
}

/**
 * The host end of veth `inside` (in namespace `ns`): the host link whose index its link_index
 * names and which names it back, its peer's namespace being `ns` where the host's namespace ids
 * tell (interface indexes are per namespace: the pair of them alone could match by chance).
 */
function peerOnHost(inside: SeenLink, ns: string, view: KernelView): SeenLink | undefined {
  if (inside.link_index === undefined || inside.link_netnsid === undefined) return undefined;
  const where = (l: SeenLink) => (l.link_netnsid === undefined ? undefined : view.nsids[l.link_netnsid]);
  return view.host.links.find((l) => l.ifindex === inside.link_index && l.link_index === inside.ifindex && l.link_netnsid !== undefined
    && (where(l) === undefined || where(l) === view.netns[ns]?.id));
}

/** A name for a link the student has not made yet: PREFIX + container (+ the network's index after the first), cut to 15 characters. */
const fresh = (prefix: string, name: string, i: number) => `${prefix}${name}${i ? i : ''}`.slice(0, 15);

/** The default route inside, as `ip route` shows it ("default via X dev Y"), or undefined. */
function defaultRoute(v: NsView) {
  return v.routes.find((r) => r.dst === 'default');
}

/**
 * Grade the network endpoints of container `c` (mode network) inside its namespace `ns`:
 * address, link state, MAC, attachment, host end state, default route (first network only).
 * A check whose cause is already reported (the address missing, the link down) is left out. Pure.
 */
export function gradeEndpoints(c: ContainerSpec, ns: NsView, nets: ReadonlyMap<string, NetFacts>, view: KernelView, seen: Seen): Finding[] {
  const object = `container ${c.name}`;
  const out: Finding[] = [];
  const held = ipv4In(ns);
  c.networks.forEach((netName, i) => {
    const net = nets.get(netName);
    if (!net?.subnet || !net.gateway) return; // the network's own ✗ says why
    const first = i === 0;
    const fixed = first ? c.ip : undefined;
    const want = fixed ? `${fixed}/${net.subnet.prefix}` : `an address in ${net.subnet.text}`;
    const brd = broadcastOf(net.subnet);
    const route = defaultRoute(ns);
    const routeOk = (dev: string) => !!route && route.gateway === net.gateway && (route.dev === undefined || route.dev === dev);
    const mine = held.find((a) => (fixed ? a.local === fixed : a.local !== net.gateway && contains(net.subnet!, a.local)));
    if (!mine) {
      // Where the address should go: a veth inside that holds no address of its own yet.
      const bare = ns.links.find((l) => l.linkinfo?.info_kind === 'veth' && !held.some((a) => a.ifname === l.ifname));
      const addr = fixed ? `${fixed}/${net.subnet.prefix}` : undefined;
      const hint = bare && addr
        ? steps(addAddrCmd(bare.ifname, addr, brd, c.name), !isUpLink(bare) && linkUpCmd(bare.ifname, c.name), first && !route && defaultRouteCmd(c.name, net.gateway))
        : bare ? `${inNs(c.name, `ip addr add ADDRESS/${net.subnet.prefix} brd ${brd} dev ${bare.ifname}`)} (any free ADDRESS in ${net.subnet.text})`
        : vethPairCmds({ ns: c.name, host: fresh('veth', c.name, i), inside: `eth${i}`, master: net.master ?? net.planned ?? 'BRIDGE', cidr: addr ?? `ADDRESS/${net.subnet.prefix}`, brd, gateway: first ? net.gateway : undefined });
      out.push(fail(object, 'address', `an interface holds ${want}`, bare ? `no interface holds it (${bare.ifname} holds no IPv4 address)` : 'no interface holds it', hint));
      return;
    }
    const dev = mine.ifname;
    seen.addresses[netName] = mine.local;
    const cidr = `${mine.local}/${mine.prefixlen}`;
    out.push(mine.prefixlen === net.subnet.prefix
      ? pass(object, 'address', `an interface holds ${want}`, fixed ? dev : `${dev}: ${cidr}`)
      : fail(object, 'address', `an interface holds ${mine.local}/${net.subnet.prefix}`, `${dev} holds ${cidr}`,
        // replace: whether the kernel kept the default route when the old address went or not.
        steps(delAddrCmd(dev, cidr, c.name), addAddrCmd(dev, `${mine.local}/${net.subnet.prefix}`, brd, c.name), first && defaultRouteCmd(c.name, net.gateway, 'replace', dev))));
    const link = linkOf(ns, dev)!;
    const up = isUpLink(link);
    // Setting a link down deletes every IPv4 route through it: the fix brings the default route back too.
    out.push(up ? pass(object, 'link-up', `${dev} is up`, 'up')
      : fail(object, 'link-up', `${dev} is up`, 'down', steps(linkUpCmd(dev, c.name), first && !routeOk(dev) && defaultRouteCmd(c.name, net.gateway, route ? 'replace' : 'add', route ? dev : undefined))));
    if (c.mac && first) {
      out.push(link.address === c.mac ? pass(object, 'mac', `${dev} has MAC ${c.mac}`, link.address)
        : fail(object, 'mac', `${dev} has MAC ${c.mac}`, link.address ?? 'none', inNs(c.name, `ip link set dev ${dev} address ${c.mac}`)));
    }
    out.push(...attachment(object, c.name, link, net, view));
    if (first && up) {
      const shown = route ? `default via ${route.gateway ?? '(none)'}${route.dev ? ` dev ${route.dev}` : ''}` : 'no default route';
      out.push(routeOk(dev) ? pass(object, 'default-route', `default route via ${net.gateway}`, shown)
        : fail(object, 'default-route', `default route via ${net.gateway}`, shown, route ? defaultRouteCmd(c.name, net.gateway, 'replace', dev) : defaultRouteCmd(c.name, net.gateway)));
    }
  });
  return out;
}

/** The link's veth peer on the host is a port of the network's bridge, and up. */
function attachment(object: string, ns: string, link: SeenLink, net: NetFacts, view: KernelView): Finding[] {
  if (!net.master) return []; // the network's ✗ names the missing bridge
  const check = `${link.ifname} is attached to ${net.master}`;
  const kind = link.linkinfo?.info_kind;
  const remake = vethPairCmds({ ns, host: fresh('veth', ns, 0), inside: link.ifname, master: net.master, cidr: 'ADDRESS', brd: 'BROADCAST' });
  if (kind !== 'veth') return [fail(object, 'attached', check, `${link.ifname} is a ${kind ?? 'device'}, not one end of a veth pair`, `${inNs(ns, `ip link del ${link.ifname}`)}; then: ${remake}`)];
  const peer = peerOnHost(link, ns, view);
  if (!peer) return [fail(object, 'attached', check, `the other end of ${link.ifname} is not in the host's namespace`, `${inNs(ns, `ip link del ${link.ifname}`)}; then: ${remake}`)];
  const out = [peer.master === net.master
    ? pass(object, 'attached', check, `its peer ${peer.ifname} is a port of ${net.master}`)
    : fail(object, 'attached', check, peer.master ? `its peer ${peer.ifname} is a port of ${peer.master}` : `its peer ${peer.ifname} is on no bridge`, `ip link set ${peer.ifname} master ${net.master}`)];
  out.push(isUpLink(peer) ? pass(object, 'host-end-up', `${peer.ifname} (its host end) is up`, 'up') : fail(object, 'host-end-up', `${peer.ifname} (its host end) is up`, 'down', linkUpCmd(peer.ifname)));
  return out;
}
