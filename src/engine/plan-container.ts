// Plans for a container on a bridge network: namespace, veth pair, address, route, resolv.conf, hosts.
import { broadcastOf, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import { addAddr } from '../kernel/addr.js';
import { addVethIntoNetns, delLink, setAlias, setUp } from '../kernel/link.js';
import { addNetns, delNetns } from '../kernel/netns.js';
import { hostsText, removeNetnsFiles, resolvConfText, writeNetnsFiles, type ResolvSettings } from '../kernel/netns-files.js';
import { addDefaultRoute } from '../kernel/route.js';
import type { ContainerRecord, NetworkRecord } from '../state/types.js';
import { vethAlias } from './names.js';
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
  const own = first ? [{ ip: first.ip, names: [...new Set([c.hostname, c.name, ...first.aliases])] }] : [];
  return [...own, ...c.addHosts.map((h) => ({ ip: h.ip, names: [h.name] }))];
}

/**
 * Steps that build one container from nothing. Phases let many containers share batches:
 * 0 files, 1 namespaces, 2 veths (host side), 3 configuration inside each namespace.
 */
export function planContainerCreate(c: ContainerRecord, nets: Record<string, NetworkRecord>, host: ResolvSettings): Step[] {
  const steps: Step[] = [
    step(`${c.name}/files`, `write /etc/netns/${c.name}/resolv.conf and hosts`, 0,
      writeNetnsFiles(c.name, resolvConfText(c.name, resolvOf(c, host)), hostsText(c.name, hostsOf(c))),
      [removeNetnsFiles(c.name)]),
    step(`${c.name}/netns`, `create network namespace ${c.name}`, 1, [addNetns(c.name)], [delNetns(c.name)]),
  ];
  const inside = [setUp('lo', c.name)];
  c.endpoints.forEach((e, i) => {
    const n = nets[e.network]!;
    const subnet = parseCidr4(n.subnet) as Cidr4;
    steps.push(step(`${c.name}/${e.ifname}`, `create veth ${e.hostVeth} on ${n.bridge} with peer ${e.ifname} inside ${c.name}`, 2,
      [
        addVethIntoNetns({ host: e.hostVeth, master: n.bridge, mtu: n.mtu, netns: c.name, peer: e.ifname, peerMac: e.mac }),
        setAlias(e.hostVeth, vethAlias(c.name, e.ifname)),
      ],
      [delLink(e.hostVeth)]));
    inside.push(addAddr(e.ifname, `${e.ip}/${e.prefix}`, broadcastOf(subnet), c.name), setUp(e.ifname, c.name));
    // The first network holds the default route, as in Docker; an internal one has none.
    if (i === 0 && !n.internal) inside.push(addDefaultRoute(e.gateway, e.ifname, c.name));
  });
  const route = inside.some((o) => o.args[0] === 'route') ? `, default route via ${c.endpoints[0]!.gateway}` : '';
  steps.push(step(`${c.name}/configure`, `bring up lo${c.endpoints.map((e) => ` and ${e.ifname} ${e.ip}/${e.prefix}`).join('')}${route} in ${c.name}`, 3, inside));
  return steps;
}

/** Steps that remove a container: its namespace (taking its veth pairs along), then its files. */
export function planContainerRemove(name: string, netnsExists: boolean): Step[] {
  const steps: Step[] = [];
  if (netnsExists) steps.push(step(`${name}/netns`, `delete network namespace ${name} (its veth pairs go with it)`, 0, [delNetns(name)]));
  steps.push(step(`${name}/files`, `remove /etc/netns/${name}`, 1, [removeNetnsFiles(name)]));
  return steps;
}
