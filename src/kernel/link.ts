// Links: bridges and veth pairs, created and deleted with `ip link`, read with `ip -json -d link`.
import { readFileSync } from 'node:fs';
import { ip, ipJson, type Command } from '../exec/command.js';
import { runJson, type Runner } from '../exec/runner.js';

/** The fields of `ip -json -d link show` that nslab reads. */
export interface LinkInfo {
  ifname: string;
  ifindex: number;
  mtu: number;
  flags: string[];
  master?: string;
  address?: string;
  ifalias?: string;
  operstate?: string;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_slave_data?: { hairpin?: boolean } };
  /** IPv6 address generation (`ip -d`): eui64, none, stable_secret, random. */
  inet6_addr_gen_mode?: string;
}

/**
 * A bridge with a fixed MAC: without one, the kernel gives it the lowest MAC of its ports,
 * so its address (and the containers' ARP entry for the gateway) changes as ports come and go.
 */
export function addBridge(o: { name: string; mtu: number; mac: string }): Command {
  return ip(['link', 'add', o.name, 'address', o.mac, 'mtu', String(o.mtu), 'up', 'type', 'bridge']);
}

/**
 * Set a link's alias, nslab's ownership mark. A separate command because the kernel ignores
 * IFLA_IFALIAS when a link is created (`ip link add … alias X` silently sets nothing).
 */
export function setAlias(name: string, alias: string, netns?: string): Command {
  return ip(['link', 'set', name, 'alias', alias], { netns });
}

/**
 * A veth pair whose host end joins `master` and is up, and whose peer is born inside `netns`
 * with its final name and MAC: no device move, which costs ~16 ms a container.
 */
export function addVethIntoNetns(o: {
  host: string;
  master: string;
  mtu: number;
  netns: string;
  peer: string;
  peerMac: string;
}): Command {
  const mtu = String(o.mtu);
  return ip([
    'link', 'add', o.host, 'mtu', mtu, 'master', o.master, 'up',
    'type', 'veth', 'peer', 'name', o.peer, 'mtu', mtu, 'address', o.peerMac, 'netns', o.netns,
  ]);
}

/**
 * No IPv6 address generation on a link (no link-local, so nothing is ever sent from it over
 * IPv6). A setting of its own: `ip link add … addrgenmode` is refused (EAFNOSUPPORT, kernel
 * 6.x). It does not remove an address already there, and a link still takes addresses from
 * router advertisements it receives (a bridge port never does: the bridge takes its frames).
 */
export function setAddrGenModeNone(name: string, netns?: string): Command {
  return ip(['link', 'set', name, 'addrgenmode', 'none'], { netns });
}

export function setUp(name: string, netns?: string): Command {
  return ip(['link', 'set', name, 'up'], { netns });
}

/** Delete a link; "not found" counts as success to callers that tolerate it. */
/** Delete a link (a veth takes its peer along); already gone is success. */
export function delLink(name: string, netns?: string): Command {
  return ip(['link', 'del', name], { netns, absentOk: true });
}

export function listLinks(runner: Runner, netns?: string): Promise<LinkInfo[]> {
  return runJson<LinkInfo[]>(runner, ipJson(['-d', 'link', 'show'], netns), 'list links');
}

/**
 * The names of the links in this process's network namespace, read in-process from
 * /proc/self/net/dev: no `ip` process (an `ip -json -d link show` was 5-60 ms and grows with
 * every container). /proc/net follows the reader's namespace (also under `nsenter --net`),
 * unlike /sys/class/net, which shows the namespace that mounted /sys. Reads only.
 */
export function linkNames(): Set<string> {
  // Two header lines, then "  NAME: counters…" (a link name never holds ':' or spaces).
  const lines = readFileSync('/proc/self/net/dev', 'utf8').split('\n').slice(2);
  return new Set(lines.map((l) => l.slice(0, l.indexOf(':')).trim()).filter(Boolean));
}

/** Is the link there and administratively up? */
export const isUp = (l: LinkInfo | undefined): boolean => !!l && l.flags.includes('UP');

export function kindOf(l: LinkInfo): string | undefined {
  return l.linkinfo?.info_kind;
}
