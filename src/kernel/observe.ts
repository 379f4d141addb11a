// A snapshot of the (possibly sandboxed) host that planners compare the wanted state with.
import type { Runner } from '../exec/runner.js';
import { listAddrs, type AddrInfo } from './addr.js';
import { listLinks, type LinkInfo } from './link.js';
import { listNetns } from './netns.js';
import { listRoutes, type RouteInfo } from './route.js';
import { BRIDGE_NF_IPTABLES, readSysctl } from './sysctl.js';

export interface HostView {
  links: LinkInfo[];
  addrs: AddrInfo[];
  routes: RouteInfo[];
  netns: Set<string>;
  ipForward: string | undefined;
  /** net.bridge.bridge-nf-call-iptables; undefined when br_netfilter is not loaded. */
  bridgeNfIptables: string | undefined;
}

/** Read links, addresses, routes, namespaces and forwarding in parallel (three `ip -json` calls). */
export async function observeHost(runner: Runner): Promise<HostView> {
  const [links, addrs, routes, netns, ipForward, bridgeNfIptables] = await Promise.all([
    listLinks(runner),
    listAddrs(runner),
    listRoutes(runner),
    listNetns(),
    readSysctl('net.ipv4.ip_forward'),
    readSysctl(BRIDGE_NF_IPTABLES),
  ]);
  return { links, addrs, routes, netns, ipForward, bridgeNfIptables };
}
