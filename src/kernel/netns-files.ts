// Per-namespace files that `ip netns exec` bind-mounts over /etc: resolv.conf and hosts.
import { closeSync, constants, lstatSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '../errors.js';
import type { FileOp } from '../exec/command.js';
import { currentLab } from '../state/lab-id.js';

export const ETC_NETNS = '/etc/netns';

/**
 * The first line of every file nslab writes there; it is the ownership marker. (A separate
 * marker file would not do: `ip netns exec` bind-mounts each file onto /etc/<same name> and
 * complains when that target does not exist.)
 */
export const MARKER = '# nslab: managed by nslab';

/**
 * Which host owns an entry: the identity of the network namespace nslab runs in
 * ("net:[4026531840]" for a real host). /etc/netns is shared by every namespace on the
 * machine, so a sandboxed nslab must recognise only its own entries.
 */
export function hostTag(): string {
  return readlinkSync('/proc/self/ns/net');
}

/**
 * The marker names the host and the lab (state directory): two labs run in one host share
 * /etc/netns, and each must claim only its own entries.
 */
function markerLine(container: string): string {
  return `${MARKER} for container ${container} (host ${hostTag()}, lab ${currentLab()})`;
}

/** The marker the release before lab ids wrote (host only). */
function legacyMarkerLine(container: string): string {
  return `${MARKER} for container ${container} (host ${hostTag()})`;
}

/** One path component as nslab names things: what checkName accepts, minus the length limit. */
const COMPONENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * The one function that builds paths under /etc/netns: /etc/netns/NAME, or a file in it.
 * NAME must be a single valid name, and the result is checked to lie directly inside
 * /etc/netns; anything else (`..`, `a/b`, an empty name) throws, so no path built from a
 * record or a directory entry can reach outside it.
 */
export function etcDir(container: string, file?: 'resolv.conf' | 'hosts'): string {
  if (typeof container !== 'string' || !COMPONENT.test(container)) {
    throw new ValidationError('container', `"${String(container)}" is not a valid name; no path under ${ETC_NETNS} is built from it`);
  }
  const dir = resolve(ETC_NETNS, container);
  if (dirname(dir) !== ETC_NETNS) throw new ValidationError('container', `"${container}" would leave ${ETC_NETNS}`);
  return file ? join(dir, file) : dir;
}

/**
 * Read a file under /etc/netns without following a symbolic link, neither its own name nor
 * its directory's: 'symlink' when either is one (nslab never reads or writes through one),
 * undefined when it is missing.
 */
export function readNetnsFile(container: string, file: 'resolv.conf' | 'hosts'): string | 'symlink' | undefined {
  const path = etcDir(container, file);
  try {
    if (lstatSync(dirname(path)).isSymbolicLink()) return 'symlink';
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return 'symlink';
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw e;
  }
}

export interface ResolvSettings {
  nameservers: readonly string[];
  search: readonly string[];
  options: readonly string[];
}

/** Parse resolv.conf text (nameserver, search/domain, options lines). */
export function parseResolvConf(text: string): ResolvSettings {
  const ns: string[] = [];
  const search: string[] = [];
  const options: string[] = [];
  for (const raw of text.split('\n')) {
    const [key, ...rest] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && rest[0]) ns.push(rest[0]);
    else if (key === 'search' || key === 'domain') search.splice(0, search.length, ...rest);
    else if (key === 'options') options.push(...rest);
  }
  return { nameservers: ns, search, options };
}

/** A loopback address (127.0.0.0/8, ::1): useless as a resolver from inside a namespace. */
export const isLoopback = (ip: string) => ip.startsWith('127.') || ip === '::1';

/**
 * The host's resolvers as Docker hands them to containers: loopback servers are useless
 * inside a namespace, so they are dropped; when that leaves none and systemd-resolved is in
 * use, its upstream list is read instead. Nothing is hard-coded.
 */
export function hostResolvers(read: (p: string) => string = (p) => readFileSync(p, 'utf8')): ResolvSettings {
  const tryRead = (p: string) => {
    try {
      return parseResolvConf(read(p));
    } catch {
      return { nameservers: [], search: [], options: [] } as ResolvSettings;
    }
  };
  const main = tryRead('/etc/resolv.conf');
  let ns = main.nameservers.filter((n) => !isLoopback(n));
  if (ns.length === 0 && main.nameservers.length > 0) {
    ns = tryRead('/run/systemd/resolve/resolv.conf').nameservers.filter((n) => !isLoopback(n));
  }
  return { nameservers: ns, search: main.search, options: main.options };
}

export function resolvConfText(container: string, s: ResolvSettings): string {
  const lines = [markerLine(container)];
  if (s.nameservers.length === 0) lines.push('# no usable nameserver on the host (loopback ones do not work here)');
  for (const n of s.nameservers) lines.push(`nameserver ${n}`);
  if (s.search.length) lines.push(`search ${s.search.join(' ')}`);
  if (s.options.length) lines.push(`options ${s.options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** One line of a hosts file: an address and the names it answers. */
export interface HostsEntry {
  readonly ip: string;
  readonly names: readonly string[];
}

/**
 * What a container's hosts file holds beyond localhost, by where it comes from. Each part
 * is written under a comment line of its own (glibc reads `#` to the end of a line as a
 * comment), so a reader sees why a name is there and rebuild-state can read the parts back.
 */
export interface HostsParts {
  /** Its own address: hostname, name and aliases. */
  readonly self: readonly HostsEntry[];
  /** The other containers of its networks, by name (so names resolve without nslabd). */
  readonly peers: readonly HostsEntry[];
  /** --link OTHER:ALIAS: the alias, then the container's name. */
  readonly links: readonly HostsEntry[];
  /** --add-host NAME:IP. */
  readonly extra: readonly HostsEntry[];
}

/** The comment line opening each part of a hosts file (rebuild-state looks for them). */
export const HOSTS_SECTIONS: Record<keyof HostsParts, string> = {
  self: '# this container',
  peers: '# containers on its networks (names resolve even while nslabd is not running)',
  links: '# --link: alias, then container',
  extra: '# --add-host',
};

const NO_PARTS: HostsParts = { self: [], peers: [], links: [], extra: [] };

export function hostsText(container: string, parts: Partial<HostsParts> = NO_PARTS): string {
  const lines = [
    markerLine(container),
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
  ];
  for (const key of Object.keys(HOSTS_SECTIONS) as Array<keyof HostsParts>) {
    const entries = parts[key] ?? [];
    if (!entries.length) continue;
    lines.push(HOSTS_SECTIONS[key], ...entries.map((e) => `${e.ip}\t${e.names.join(' ')}`));
  }
  return lines.join('\n') + '\n';
}

/** A hosts file's parts as hostsText wrote them (lines before any part's comment are skipped). */
export function parseHostsParts(text: string): HostsParts {
  const out: Record<keyof HostsParts, HostsEntry[]> = { self: [], peers: [], links: [], extra: [] };
  const byComment = new Map(Object.entries(HOSTS_SECTIONS).map(([k, v]) => [v, k as keyof HostsParts]));
  let part: keyof HostsParts | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) {
      part = byComment.get(line) ?? part;
      continue;
    }
    const [ip, ...names] = line.trim().split(/\s+/);
    if (part && ip && names.length) out[part].push({ ip, names });
  }
  return out;
}

/**
 * A write whose text is made each time it is read (when it runs, or is printed), from what
 * `text` reads then: a plan of N new containers, whose hosts files each name the N-1 others,
 * then holds no N² bytes of text at once (1000 containers: ~25 MB, and nslabd's RSS with it).
 * `text` must read only what does not change between planning and running.
 */
export function writeLater(path: string, text: () => string): FileOp {
  return { kind: 'write', path, get content() { return text(); } };
}

/** Ops that write both files (mkdir, resolv.conf, hosts); `hosts` may be made when it is written. */
export function writeNetnsFiles(container: string, resolv: string, hosts: string | (() => string)): FileOp[] {
  const path = etcDir(container, 'hosts');
  return [
    { kind: 'mkdir', path: etcDir(container) },
    { kind: 'write', path: etcDir(container, 'resolv.conf'), content: resolv },
    typeof hosts === 'string' ? { kind: 'write', path, content: hosts } : writeLater(path, hosts),
  ];
}

export function removeNetnsFiles(container: string): FileOp {
  return { kind: 'rm', path: etcDir(container) };
}

/** Reads resolv.conf or hosts of /etc/netns/NAME: its text, 'symlink', or undefined when missing. */
export type NetnsReader = (container: string, file: 'resolv.conf' | 'hosts') => string | undefined;

/**
 * Whose /etc/netns/NAME is, from the first line of resolv.conf or hosts: this lab's ("mine"),
 * this host's previous release's ("legacy": no lab named), or neither (undefined: another
 * lab's, another host's, or not nslab's at all). Never for an invalid name, nor through a
 * symbolic link (a linked directory or file is not nslab's: it points at something else).
 */
export function netnsOwner(container: string, read: NetnsReader = readNetnsFile): 'mine' | 'legacy' | undefined {
  const mine = markerLine(container) + '\n';
  const legacy = legacyMarkerLine(container) + '\n';
  let found: 'legacy' | undefined;
  for (const f of ['resolv.conf', 'hosts'] as const) {
    try {
      const text = read(container, f);
      if (text?.startsWith(mine)) return 'mine';
      if (text?.startsWith(legacy)) found = 'legacy';
    } catch {
      /* an invalid name or an unreadable file: look at the next one */
    }
  }
  return found;
}

/**
 * Is /etc/netns/NAME this lab's? True when resolv.conf or hosts opens with this lab's marker,
 * or with the previous release's (which named no lab): where a record names the container,
 * that entry is ours. Sweeps of unrecorded entries use netnsOwner to leave the old ones alone.
 */
export function isOurs(container: string, read: NetnsReader = readNetnsFile): boolean {
  return netnsOwner(container, read) !== undefined;
}
