// IPv4 address and CIDR arithmetic, all of it done by the ip-address library.
import { Address4 } from 'ip-address';

/** A parsed IPv4 subnet: network address, prefix, and its range as big integers. */
export interface Cidr4 {
  readonly text: string; // canonical "a.b.c.d/n"
  readonly network: string;
  readonly prefix: number;
  readonly first: bigint; // network address
  readonly last: bigint; // broadcast address
}

/** Parse a plain IPv4 address in canonical dotted form, or undefined. */
export function parseIp4(text: string): Address4 | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text) || !Address4.isValid(text)) return undefined;
  const a = new Address4(text);
  return a.correctForm() === text ? a : undefined;
}

/** Parse "a.b.c.d/n"; returns a reason string when it is not a valid subnet with no host bits. */
export function parseCidr4(text: string): Cidr4 | string {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return 'must be an IPv4 CIDR like 10.201.0.0/24';
  const prefix = Number(m[2]);
  if (prefix < 1 || prefix > 30) return `prefix /${m[2]} is out of range (1 to 30 leaves room for hosts)`;
  const addr = parseIp4(m[1]!);
  if (!addr) return `${m[1]} is not a valid IPv4 address`;
  const sub = new Address4(`${m[1]}/${prefix}`);
  const first = sub.startAddress().bigInt();
  if (first !== addr.bigInt()) return `has host bits set (did you mean ${sub.startAddress().correctForm()}/${prefix}?)`;
  return { text: `${m[1]}/${prefix}`, network: m[1]!, prefix, first, last: sub.endAddress().bigInt() };
}

export function ipToBig(ip: string): bigint {
  return new Address4(ip).bigInt();
}

export function bigToIp(n: bigint): string {
  return Address4.fromBigInt(n).correctForm();
}

export function contains(c: Cidr4, ip: string): boolean {
  const n = ipToBig(ip);
  return n >= c.first && n <= c.last;
}

export function overlaps(a: Pick<Cidr4, 'first' | 'last'>, b: Pick<Cidr4, 'first' | 'last'>): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function broadcastOf(c: Cidr4): string {
  return bigToIp(c.last);
}

/** Docker's MAC scheme: 02:42 followed by the four bytes of the IPv4 address. */
export function macForIp(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

/** Parse any "a.b.c.d/n" (host bits allowed), e.g. a route or address on the host. */
export function rangeOf(text: string): Pick<Cidr4, 'first' | 'last'> | undefined {
  const [ip, p] = text.includes('/') ? text.split('/') : [text, '32'];
  if (!parseIp4(ip!)) return undefined;
  const sub = new Address4(`${ip}/${p}`);
  return { first: sub.startAddress().bigInt(), last: sub.endAddress().bigInt() };
}
