// A snapshot of the (possibly sandboxed) host that planners compare the wanted state with.
import { statSync } from 'node:fs';
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

/**
 * The host's links and namespaces only (one `ip -json` call): what a network's teardown
 * looks at (is the bridge there and ours, what is still enslaved to it). Addresses, routes
 * and sysctls are left empty: a caller that needs them observes the whole host.
 */
export async function observeLinks(runner: Runner): Promise<HostView> {
  const [links, netns] = await Promise.all([listLinks(runner), listNetns()]);
  return { links, addrs: [], routes: [], netns, ipForward: undefined, bridgeNfIptables: undefined };
}

/** A namespace's identity: the device and inode of its nsfs file (two names of one namespace share it). */
export function nsIdentity(path: string): string {
  const s = statSync(path);
  return `${s.dev}:${s.ino}`;
}

/**
 * Links, addresses and routes of the namespace NETNS (the runner's own when absent), read in
 * parallel: what the grader and the diagram look at in each namespace. `L`: the link fields
 * the caller reads beyond LinkInfo (ip -json gives them all).
 */
export async function observeNs<L extends LinkInfo = LinkInfo>(runner: Runner, netns?: string): Promise<{ links: L[]; addrs: AddrInfo[]; routes: RouteInfo[] }> {
  const [links, addrs, routes] = await Promise.all([listLinks(runner, netns), listAddrs(runner, netns), listRoutes(runner, netns)]);
  return { links: links as L[], addrs, routes };
}
