// What users may ask for (CLI flags or lab-file keys), parsed into fully-defaulted specs.
import { ValidationError } from '../errors.js';
import { FIREWALL_BACKENDS, isFirewallBackend } from '../firewall/registry.js';
import type { DriverName, FirewallBackendName, PortRecord } from '../state/types.js';
import { MAX_PORTS, parsePublish } from './publish.js';
import { checkDriverName } from '../drivers/registry.js';
import { contains, type Cidr4 } from '../ipam/cidr.js';
import { dict, own } from '../state/dict.js';
import {
  checkBool, checkCidr, checkHostIp, checkHostname, checkInt, checkIp, checkMac, checkName, checkNetworkName, checkUnicastIp, splitPair,
} from './validate.js';
import { DEFAULT_NETWORK } from './names.js';

export interface NetworkInput {
  name: string;
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  auxAddress?: string[];
  bridge?: string;
  mtu?: number | string;
  internal?: boolean;
  masquerade?: boolean;
  icc?: boolean;
  options?: string[];
  /** The firewall backend (lab files: the top-level `firewall-backend`; nslab: `--firewall-backend`). */
  firewall?: string;
}

/** A network request after syntax checks; subnet may still be "pick one for me". */
export interface NetworkSpec {
  name: string;
  driver: DriverName;
  subnet?: Cidr4;
  gateway?: string;
  ipRange?: Cidr4;
  auxAddresses: Record<string, string>;
  bridge?: string;
  mtu: number;
  internal: boolean;
  masquerade: boolean;
  icc: boolean;
  /** Absent: the engine's default backend. */
  firewall?: FirewallBackendName;
}

/** A firewall backend's name, or a ValidationError naming `field`. */
export function checkFirewallBackend(field: string, v: unknown): FirewallBackendName {
  if (!isFirewallBackend(v)) throw new ValidationError(field, `must be one of ${FIREWALL_BACKENDS.join(', ')}`);
  return v;
}

/** Docker's -o keys, so a `docker network create` line translates one to one. */
const DOCKER_OPTIONS: Record<string, keyof NetworkInput> = {
  'com.docker.network.bridge.name': 'bridge',
  'com.docker.network.bridge.enable_icc': 'icc',
  'com.docker.network.bridge.enable_ip_masquerade': 'masquerade',
  'com.docker.network.driver.mtu': 'mtu',
};

export function parseNetworkInput(raw: NetworkInput): NetworkSpec {
  const input: Record<string, unknown> = { ...raw };
  for (const o of raw.options ?? []) {
    const [k, v] = splitPair('opt', o, '=');
    const key = own(DOCKER_OPTIONS, k);
    if (!key) throw new ValidationError('opt', `unknown option "${k}" (known: ${Object.keys(DOCKER_OPTIONS).join(', ')})`);
    input[key] = v;
  }
  const name = checkNetworkName('name', raw.name);
  const driver = checkDriverName('driver', raw.driver ?? 'bridge');
  const subnet = raw.subnet !== undefined ? checkCidr('subnet', raw.subnet) : undefined;
  for (const f of ['gateway', 'ipRange', 'auxAddress'] as const) {
    const given = Array.isArray(raw[f]) ? (raw[f] as unknown[]).length > 0 : raw[f] !== undefined;
    if (given && !subnet) throw new ValidationError(f === 'ipRange' ? 'ip-range' : f === 'auxAddress' ? 'aux-address' : f, 'needs --subnet');
  }
  const gateway = raw.gateway !== undefined && subnet ? checkHostIp('gateway', raw.gateway, subnet) : undefined;
  let ipRange: Cidr4 | undefined;
  if (raw.ipRange !== undefined && subnet) {
    ipRange = checkCidr('ip-range', raw.ipRange);
    if (ipRange.first < subnet.first || ipRange.last > subnet.last) throw new ValidationError('ip-range', `${ipRange.text} is not inside the subnet ${subnet.text}`);
  }
  const auxAddresses = dict<string>(); // an aux name is the user's: "__proto__" must stay a key
  for (const a of raw.auxAddress ?? []) {
    const [k, v] = splitPair('aux-address', a, '=');
    checkUnicastIp('aux-address', v);
    if (subnet && !contains(subnet, v)) throw new ValidationError('aux-address', `${v} is outside the subnet ${subnet.text}`);
    auxAddresses[k] = v;
  }
  const internal = input.internal === undefined ? false : checkBool('internal', input.internal);
  return {
    name,
    driver,
    subnet,
    gateway,
    ipRange,
    auxAddresses,
    bridge: input.bridge === undefined ? undefined : checkName('bridge', input.bridge),
    mtu: input.mtu === undefined ? 1500 : checkInt('mtu', input.mtu, 68, 65535),
    internal,
    masquerade: input.masquerade === undefined ? !internal : checkBool('masquerade', input.masquerade),
    icc: input.icc === undefined ? true : checkBool('icc', input.icc),
    ...(raw.firewall === undefined ? {} : { firewall: checkFirewallBackend('firewall-backend', raw.firewall) }),
  };
}

export interface ContainerInput {
  name: string;
  /** A network name, or a mode: host, none, container:OTHER (Docker's --net). */
  network?: string;
  /** Several networks (lab files, repeated --network); the first holds the default route. */
  networks?: string[];
  ip?: string;
  mac?: string;
  dns?: string[];
  dnsSearch?: string[];
  /** resolv.conf options (Docker's --dns-option: ndots:2, timeout:1, edns0, …). */
  dnsOptions?: string[];
  hostname?: string;
  aliases?: string[];
  /** Legacy links, OTHER[:ALIAS] (Docker's --link). */
  links?: string[];
  addHosts?: string[];
  /** Published ports, Docker's -p text: [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]. */
  ports?: string[];
}

/** How a container is networked: Docker's network modes. */
export type NetMode = 'network' | 'host' | 'none' | 'container';

export interface ContainerSpec {
  name: string;
  mode: NetMode;
  /** Mode "network": the networks, first one first (at least one). Empty otherwise. */
  networks: string[];
  /** Mode "container": whose namespace this one shares. */
  shares?: string;
  ip?: string;
  mac?: string;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  hostname: string;
  aliases: string[];
  links: Array<{ container: string; alias: string }>;
  addHosts: Array<{ name: string; ip: string }>;
  /** Published ports, one per host port (ranges expanded). */
  ports: PortRecord[];
}

/** Docker's HostConfig.NetworkMode string of a spec or record. */
export function networkModeOf(c: { mode: NetMode; networks?: readonly string[]; shares?: string }, first?: string): string {
  if (c.mode === 'container') return `container:${c.shares}`;
  if (c.mode !== 'network') return c.mode;
  return first ?? c.networks?.[0] ?? 'none';
}

function parseMode(name: string, raw: ContainerInput): Pick<ContainerSpec, 'mode' | 'networks' | 'shares'> {
  if (raw.network !== undefined && raw.networks !== undefined) throw new ValidationError('network', 'give network or networks, not both');
  const nets = raw.networks ?? [raw.network ?? DEFAULT_NETWORK];
  if (nets.length === 0) throw new ValidationError('networks', 'needs at least one network');
  const first = nets[0]!;
  const special = first === 'host' || first === 'none' || first.startsWith('container:');
  if (special) {
    if (nets.length > 1) throw new ValidationError('network', `mode ${first} cannot be combined with other networks`);
    const conflicts: Array<[string, unknown]> = [['ip', raw.ip], ['mac', raw.mac], ['alias', raw.aliases?.length || undefined]];
    // none: kept for a later connect, as Docker keeps it; host and container: nothing to forward to.
    if (first !== 'none') conflicts.push(['publish', raw.ports?.length || undefined]);
    if (first.startsWith('container:')) {
      conflicts.push(['dns', raw.dns?.length || undefined], ['dns-search', raw.dnsSearch?.length || undefined], ['dns-option', raw.dnsOptions?.length || undefined],
        ['hostname', raw.hostname], ['add-host', raw.addHosts?.length || undefined]);
    }
    const bad = conflicts.find(([, v]) => v !== undefined);
    if (bad) throw new ValidationError(bad[0], `cannot be set with network mode ${first} (the namespace's interfaces are not nslab's to configure)`);
    if (first === 'host' || first === 'none') return { mode: first, networks: [] };
    const other = checkName('network', first.slice('container:'.length));
    if (other === name) throw new ValidationError('network', `container ${name} cannot share its own namespace`);
    return { mode: 'container', networks: [], shares: other };
  }
  const seen = new Set<string>();
  for (const n of nets) {
    checkName('network', n);
    if (n === 'host' || n === 'none' || n.startsWith('container:')) throw new ValidationError('network', `mode ${n} cannot be combined with other networks`);
    if (seen.has(n)) throw new ValidationError('network', `network ${n} is named twice`);
    seen.add(n);
  }
  return { mode: 'network', networks: nets };
}

/** --link OTHER[:ALIAS] → the container and the name it is known by (its own name by default), each at most once. */
function parseLinks(name: string, raw: readonly string[]): ContainerSpec['links'] {
  const seen = new Set<string>();
  return raw.map((l) => {
    const [other, alias] = l.includes(':') ? splitPair('link', l, ':') : [l, l];
    const link = { container: checkName('link', other), alias: checkHostname('link', alias) };
    if (link.container === name) throw new ValidationError('link', `container ${name} cannot link to itself`);
    if (seen.has(link.alias)) throw new ValidationError('link', `the alias ${link.alias} is given twice`);
    seen.add(link.alias);
    return link;
  });
}

/** One resolv.conf option word (ndots:2, timeout:1, edns0, rotate): no spaces, nothing a resolver would read as another line. */
function checkDnsOption(o: string): string {
  if (typeof o !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*(:[0-9]{1,3})?$/.test(o)) throw new ValidationError('dns-option', `"${String(o)}" is not a resolv.conf option (like ndots:2, timeout:1, edns0)`);
  return o;
}

/** The -p values as single mappings; a host port given twice (or in overlapping ranges) is refused at the next step, with the records. */
function publishedOf(specs: readonly string[] | undefined): PortRecord[] {
  const out = (specs ?? []).flatMap((p) => parsePublish(p));
  if (out.length > MAX_PORTS) throw new ValidationError('publish', `${out.length} mappings: at most ${MAX_PORTS} per container`);
  return out;
}

export function parseContainerInput(raw: ContainerInput): ContainerSpec {
  const name = checkName('name', raw.name);
  return {
    name,
    ...parseMode(name, raw),
    ip: raw.ip === undefined ? undefined : checkUnicastIp('ip', raw.ip),
    mac: raw.mac === undefined ? undefined : checkMac('mac', raw.mac),
    dns: raw.dns?.map((d) => checkIp('dns', d)),
    dnsSearch: raw.dnsSearch?.map((d) => checkHostname('dns-search', d)),
    ...(raw.dnsOptions?.length ? { dnsOptions: raw.dnsOptions.map(checkDnsOption) } : {}),
    hostname: raw.hostname === undefined ? name : checkHostname('hostname', raw.hostname),
    aliases: (raw.aliases ?? []).map((a) => checkHostname('alias', a)),
    links: parseLinks(name, raw.links ?? []),
    addHosts: (raw.addHosts ?? []).map((h) => {
      const [n, ip] = splitPair('add-host', h, ':');
      return { name: checkHostname('add-host', n), ip: checkIp('add-host', ip) };
    }),
    ports: publishedOf(raw.ports),
  };
}
