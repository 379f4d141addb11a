// Finds what carries nslab's mark in the kernel and /etc/netns: the basis of reset (and later gc).
import { readdirSync } from 'node:fs';
import { kindOf, type LinkInfo } from '../kernel/link.js';
import { ETC_NETNS, isOurs } from '../kernel/netns-files.js';
import { parseVethAlias } from './names.js';

export interface Marked {
  /** Namespaces whose /etc/netns entry carries the marker. */
  netns: string[];
  /** /etc/netns entries that carry the marker. */
  etc: string[];
  /** Host ends of veths whose alias is nslab's. */
  veths: string[];
  /** Bridges whose alias is nslab's. */
  bridges: string[];
}

export function findMarked(links: readonly LinkInfo[], netns: ReadonlySet<string>): Marked {
  let etc: string[] = [];
  try {
    etc = readdirSync(ETC_NETNS).filter((n) => isOurs(n));
  } catch { /* no /etc/netns */ }
  return {
    etc,
    netns: etc.filter((n) => netns.has(n)),
    veths: links.filter((l) => kindOf(l) === 'veth' && parseVethAlias(l.ifalias)).map((l) => l.ifname),
    bridges: links.filter((l) => kindOf(l) === 'bridge' && l.ifalias?.startsWith('nslab:network:')).map((l) => l.ifname),
  };
}
