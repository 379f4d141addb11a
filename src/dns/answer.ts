// DNS messages in and out, through dns-packet: a query answered from a zone (with round robin),
// or marked for forwarding; SERVFAIL and REFUSED replies. nslabd's DNS path only.
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import { contains } from '../ipam/cidr.js';
import { lookup, type NetworkZone } from './zone.js';

/** RFC 1035 response codes nslab sends. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** UDP answers without EDNS fit 512 bytes; larger ones are cut and flagged truncated (the client retries over TCP). */
const UDP_MAX = 512;

/**
 * Rotation of the addresses under one name, per network: each query for a name with several
 * addresses gets them starting one further on (Docker's embedded DNS does the same).
 */
export class RoundRobin {
  private readonly next = new Map<string, number>();
  rotate(key: string, list: readonly string[]): string[] {
    if (list.length < 2) return [...list];
    const i = (this.next.get(key) ?? 0) % list.length;
    this.next.set(key, i + 1);
    return [...list.slice(i), ...list.slice(0, i)];
  }
}

/** Decode a message, or undefined when it is not a DNS query (a response, garbage). */
export function decodeQuery(msg: Buffer): DecodedPacket | undefined {
  try {
    const q = dnsPacket.decode(msg);
    return q.type === 'query' ? q : undefined;
  } catch {
    return undefined;
  }
}

/** A reply to `q` with `rcode` and `answers`; the query's RD bit is echoed, RA set. */
export function reply(q: DecodedPacket, rcode: number, answers: Answer[] = [], authoritative = false): Buffer {
  const flags = ((q.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rcode;
  return dnsPacket.encode({ type: 'response', id: q.id, flags, questions: q.questions ?? [], answers });
}

/**
 * What nslabd does with one query that arrived on `zone`'s gateway from `source`: the reply
 * to send, or 'forward'. Only the network's own addresses are served (a container of another
 * network, reaching this gateway through the host, is REFUSED: scope); one question per query.
 */
export function answer(zone: NetworkZone, q: DecodedPacket, source: string, rr: RoundRobin, udp: boolean): Buffer | 'forward' {
  if (!inScope(zone, source)) return reply(q, RCODE.REFUSED);
  if ((q as DecodedPacket & { opcode?: string }).opcode !== 'QUERY') return reply(q, RCODE.NOTIMP);
  const question = q.questions?.[0];
  if (!question || q.questions!.length !== 1) return reply(q, RCODE.FORMERR);
  const found = lookup(zone, question.name, question.type);
  switch (found.kind) {
    case 'forward': return 'forward';
    case 'nxdomain': return reply(q, RCODE.NXDOMAIN, [], true);
    case 'nodata': return reply(q, RCODE.NOERROR, [], true);
    case 'ptr': return reply(q, RCODE.NOERROR, [{ type: 'PTR', name: question.name, ttl: 0, data: found.name }], true);
    case 'a': {
      // TTL 0: a container that goes away stops resolving at once, and round robin is seen by every query.
      const all = rr.rotate(`${question.name.toLowerCase()}`, found.addresses).map((ip): Answer => ({ type: 'A', name: question.name, ttl: 0, data: ip }));
      let out = reply(q, RCODE.NOERROR, all, true);
      for (let n = all.length - 1; udp && out.length > UDP_MAX && n > 0; n--) {
        out = reply(q, RCODE.NOERROR | dnsPacket.TRUNCATED_RESPONSE, all.slice(0, n), true);
      }
      return out;
    }
  }
}

/** Whether `ip` (a socket's address, perhaps IPv4-mapped) is on the zone's network: only those are served. */
export function inScope(zone: NetworkZone, ip: string): boolean {
  try {
    return contains(zone.subnet, ip.replace(/^::ffff:/, ''));
  } catch {
    return false;
  }
}
