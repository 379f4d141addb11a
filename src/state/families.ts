// Address families in the records: readers ask for a family's subnet or address through these,
// so that IPv6 adds entries to the lists (and cases here) rather than new fields everywhere.
import type { AddressRecord, EndpointRecord, NetworkRecord, SubnetRecord } from './types.js';

export type Family = 4 | 6;

/** The family of an address or CIDR, read from its text (IPv6 is written with colons). Pure. */
export function familyOf(ipOrCidr: string): Family {
  return ipOrCidr.includes(':') ? 6 : 4;
}

/** The network's subnet of `family`, if it has one. Pure. */
export function subnetOf(n: Pick<NetworkRecord, 'subnets'>, family: Family): SubnetRecord | undefined {
  return n.subnets.find((s) => familyOf(s.subnet) === family);
}

/** The endpoint's address of `family`, if it has one. Pure. */
export function addressOf(e: Pick<EndpointRecord, 'addresses'>, family: Family): AddressRecord | undefined {
  return e.addresses.find((a) => familyOf(a.ip) === family);
}

/**
 * The network's IPv4 subnet. Every network has one (records without are refused when read,
 * see engine/records.ts), so this never returns undefined; it throws on a record built wrong.
 */
export function ipv4Subnet(n: Pick<NetworkRecord, 'name' | 'subnets'>): SubnetRecord {
  const s = subnetOf(n, 4);
  if (!s) throw new Error(`network ${n.name} has no IPv4 subnet`);
  return s;
}

/**
 * The endpoint's primary address: its IPv4 one (Docker's IPAddress). Every endpoint has one
 * (checked when read, as for ipv4Subnet); throws on a record built wrong.
 */
export function primaryAddress(e: Pick<EndpointRecord, 'network' | 'ifname' | 'addresses'>): AddressRecord {
  const a = addressOf(e, 4);
  if (!a) throw new Error(`the endpoint ${e.ifname} on ${e.network} has no IPv4 address`);
  return a;
}

/** "ip/prefix", as `ip addr` shows and takes an address. Pure. */
export function cidrOf(a: Pick<AddressRecord, 'ip' | 'prefix'>): string {
  return `${a.ip}/${a.prefix}`;
}
