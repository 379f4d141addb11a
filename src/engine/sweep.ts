// Finds what carries this lab's mark in the kernel and /etc/netns: the basis of gc, reset and check.
import { readdirSync } from 'node:fs';
import { kindOf, type LinkInfo } from '../kernel/link.js';
import { ETC_NETNS, netnsOwner } from '../kernel/netns-files.js';
import { parseBridgeAlias, parseVethAlias } from './names.js';

export interface Marked {
  /** Namespaces whose /etc/netns entry carries this lab's marker. */
  netns: string[];
  /** /etc/netns entries that carry this lab's marker. */
  etc: string[];
  /** Host ends of veths whose alias names this lab. */
  veths: string[];
  /** Bridges whose alias names this lab. */
  bridges: string[];
  /** The same kinds carrying the previous release's marks (no lab id): whose they are is unknown. */
  legacy: { etc: string[]; veths: string[]; bridges: string[] };
}

/** This lab's marked objects, and the previous release's; another lab's are not listed at all. */
export function findMarked(links: readonly LinkInfo[], netns: ReadonlySet<string>): Marked {
  let entries: string[] = [];
  try {
    entries = readdirSync(ETC_NETNS);
  } catch { /* no /etc/netns */ }
  const owners = new Map(entries.map((n) => [n, netnsOwner(n)]));
  const etc = entries.filter((n) => owners.get(n) === 'mine');
  const veth = (owner: string) => links.filter((l) => kindOf(l) === 'veth' && parseVethAlias(l.ifalias)?.owner === owner).map((l) => l.ifname);
  const bridge = (owner: string) => links.filter((l) => kindOf(l) === 'bridge' && parseBridgeAlias(l.ifalias)?.owner === owner).map((l) => l.ifname);
  return {
    etc,
    netns: etc.filter((n) => netns.has(n)),
    veths: veth('mine'),
    bridges: bridge('mine'),
    legacy: { etc: entries.filter((n) => owners.get(n) === 'legacy'), veths: veth('legacy'), bridges: bridge('legacy') },
  };
}
