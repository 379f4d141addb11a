// What the grader sees of the live kernel: plain data, read once by observe.ts, judged by the rules.
import type { AddrInfo } from '../kernel/addr.js';
import type { LinkInfo } from '../kernel/link.js';
import type { RouteInfo } from '../kernel/route.js';

/** A link as `ip -json -d link` shows it; a veth whose peer lives in another namespace names it by index. */
export type SeenLink = LinkInfo & { link_index?: number };

/** One network namespace: its links, addresses and routes. */
export interface NsView {
  links: SeenLink[];
  addrs: AddrInfo[];
  routes: RouteInfo[];
}

/** A namespace named in /run/netns: its identity (device:inode of the nsfs file) and what is inside. */
export interface NamedNs {
  id: string;
  view: NsView;
}

export interface KernelView {
  /** The namespace the grader runs in: the host (or a sandbox's fake host). */
  host: NsView;
  /** The identity of the host's namespace, to tell a container in host mode. */
  hostId: string;
  /**
   * The host's ids of other namespaces (`ip netns list-id`: the link_netnsid of a host link whose
   * peer lives there) with that namespace's identity; an id missing here is not checked.
   */
  nsids: Record<number, string>;
  /** The namespaces the lab names that exist, by name; a missing one is absent. */
  netns: Record<string, NamedNs>;
  /** net.ipv4.ip_forward in the host namespace; undefined when it cannot be read. */
  ipForward?: string;
  /** `iptables-save -t nat` output, or why it could not be read. */
  nat: { text: string } | { error: string };
  /** `iptables-save -t filter` output, or why it could not be read. */
  filter: { text: string } | { error: string };
  /** /etc/netns/NAME/resolv.conf and hosts of each container the lab names (absent: missing). */
  files: Record<string, { 'resolv.conf'?: string; hosts?: string }>;
  /** The host's own resolvers, for a hint that writes a resolv.conf when the lab names none. */
  resolvers: string[];
}

/** Every IPv4 address of a namespace with the link holding it. */
export function ipv4In(v: NsView): Array<{ ifname: string; local: string; prefixlen: number }> {
  return v.addrs.flatMap((a) => a.addr_info.filter((i) => i.family === 'inet').map((i) => ({ ifname: a.ifname, local: i.local, prefixlen: i.prefixlen })));
}

export const linkOf = (v: NsView, ifname: string): SeenLink | undefined => v.links.find((l) => l.ifname === ifname);

export const isUpLink = (l: SeenLink | undefined): boolean => !!l && l.flags.includes('UP');
