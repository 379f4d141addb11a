// Pure validation and defaulting of user input: nothing here touches the host.
import { ValidationError } from '../errors.js';
import { parseCidr4, parseIp4, contains, ipToBig, overlaps, type Cidr4 } from '../ipam/cidr.js';
import { IFNAMSIZ } from './names.js';

export const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A container, network or interface name: ≤ 15 chars of [A-Za-z0-9_.-], not starting with -, not . or .. */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ValidationError(field, 'is required');
  if (value === '.' || value === '..') throw new ValidationError(field, `"${value}" is not a valid name`);
  if (value.length > IFNAMSIZ) throw new ValidationError(field, `"${value}" is longer than ${IFNAMSIZ} characters`);
  if (!NAME.test(value)) {
    throw new ValidationError(field, `"${value}" must start with a letter or digit and use only letters, digits, "_", "." and "-"`);
  }
  return value;
}

/**
 * Address blocks a network can never use: the kernel routes them specially (loopback, "this
 * network", link-local, multicast) or refuses them on an interface (class E).
 */
const SPECIAL: ReadonlyArray<{ cidr: Cidr4; what: string }> = [
  ['0.0.0.0/8', '"this network" (0.0.0.0/8)'],
  ['127.0.0.0/8', 'loopback (127.0.0.0/8)'],
  ['169.254.0.0/16', 'link-local (169.254.0.0/16)'],
  ['224.0.0.0/4', 'multicast (224.0.0.0/4)'],
  ['240.0.0.0/4', 'reserved (240.0.0.0/4)'],
].map(([c, what]) => ({ cidr: parseCidr4(c!) as Cidr4, what: what! }));

/** The special block a range or address falls in, if any. */
export function specialBlock(r: Pick<Cidr4, 'first' | 'last'>): string | undefined {
  return SPECIAL.find((s) => overlaps(s.cidr, r))?.what;
}

/** A subnet or range a network can use: valid CIDR, no host bits, not in a special block. */
export function checkCidr(field: string, value: string): Cidr4 {
  const c = parseCidr4(value);
  if (typeof c === 'string') throw new ValidationError(field, `"${value}" ${c}`);
  const special = specialBlock(c);
  if (special) throw new ValidationError(field, `${c.text} is in the ${special} block, which no network can use`);
  return c;
}

export function checkIp(field: string, value: string): string {
  if (!parseIp4(value)) throw new ValidationError(field, `"${value}" is not a valid IPv4 address`);
  return value;
}

/** An address an interface can have (a container's --ip, an aux address): not in a special block. */
export function checkUnicastIp(field: string, value: string): string {
  checkIp(field, value);
  const n = ipToBig(value);
  const special = specialBlock({ first: n, last: n });
  if (special) throw new ValidationError(field, `${value} is in the ${special} block, which no interface of a network can use`);
  return value;
}

/**
 * Network names Docker keeps for network modes (`--network host|none|container:X`) and its
 * "default": a network of that name could never be chosen with --network.
 */
export function checkNetworkName(field: string, value: unknown): string {
  if (value === 'host' || value === 'none' || value === 'default' || (typeof value === 'string' && value.startsWith('container:'))) {
    throw new ValidationError(field, `"${value}" is a network mode (host, none, default, container:NAME), not a name a network can have`);
  }
  return checkName(field, value);
}

/** A host address inside `subnet`, neither its network nor its broadcast address. */
export function checkHostIp(field: string, value: string, subnet: Cidr4): string {
  checkUnicastIp(field, value);
  if (!contains(subnet, value)) throw new ValidationError(field, `${value} is outside the subnet ${subnet.text}`);
  if (value === subnet.network) throw new ValidationError(field, `${value} is the network address of ${subnet.text}`);
  if (parseIp4(value)!.bigInt() === subnet.last) throw new ValidationError(field, `${value} is the broadcast address of ${subnet.text}`);
  return value;
}

/** A unicast MAC an interface can have: not all-zero, not broadcast or multicast (group bit). */
export function checkMac(field: string, value: string): string {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(value)) throw new ValidationError(field, `"${value}" is not a MAC address like 02:42:0a:c9:00:04`);
  const mac = value.toLowerCase();
  if (mac === '00:00:00:00:00:00') throw new ValidationError(field, `${mac} is the all-zero address, which no interface can have`);
  if (mac === 'ff:ff:ff:ff:ff:ff') throw new ValidationError(field, `${mac} is the broadcast address`);
  if (parseInt(mac.slice(0, 2), 16) & 1) throw new ValidationError(field, `${mac} is a multicast address (the low bit of its first byte is set)`);
  return mac;
}

export function checkInt(field: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ValidationError(field, `"${String(value)}" must be a whole number from ${min} to ${max}`);
  return n;
}

export function checkBool(field: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ValidationError(field, `"${String(value)}" must be true or false`);
}

/** A DNS name (hostname, alias, search domain). */
export function checkHostname(field: string, value: string): string {
  if (value.length > 253 || !/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(value)) {
    throw new ValidationError(field, `"${value}" is not a valid host name`);
  }
  return value;
}

/** "KEY=VALUE" or "KEY:VALUE" split at the first separator. */
export function splitPair(field: string, value: string, sep: '=' | ':'): [string, string] {
  const i = value.indexOf(sep);
  if (i <= 0 || i === value.length - 1) throw new ValidationError(field, `"${value}" must look like NAME${sep}VALUE`);
  return [value.slice(0, i), value.slice(i + 1)];
}
