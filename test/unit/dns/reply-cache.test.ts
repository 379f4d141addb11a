// The UDP reply cache: a query of the same bytes gets the kept reply with its own id; rotating
// and truncated replies are never kept; a query that differs in any byte (case, type, flags) misses.
import t from 'tap';
import dnsPacket from 'dns-packet';
import { answer, decodeQuery, RoundRobin } from '../../../src/dns/answer.js';
import { ReplyCache } from '../../../src/dns/reply-cache.js';
import type { NetworkZone } from '../../../src/dns/zone.js';
import { parseCidr4, type Cidr4 } from '../../../src/ipam/cidr.js';

const zone: NetworkZone = {
  network: 'lab', gateway: '10.201.0.1', subnet: parseCidr4('10.201.0.0/24') as Cidr4,
  names: new Map([['a', ['10.201.0.2']], ['web', ['10.201.0.2', '10.201.0.3']], ['big', Array.from({ length: 40 }, (_, i) => `10.201.0.${i + 10}`)]]),
  ptr: new Map(),
};
const query = (name: string, id: number, type: 'A' | 'AAAA' = 'A', flags = dnsPacket.RECURSION_DESIRED) =>
  dnsPacket.encode({ type: 'query', id, flags, questions: [{ type, name }] });
/** What the server does on a miss: answer through dns-packet, offer the reply to the cache. */
const miss = (cache: ReplyCache, msg: Buffer, rr = new RoundRobin()) => {
  const out = answer(zone, decodeQuery(msg)!, '10.201.0.9', rr, true);
  if (out === 'forward') throw new Error('forwarded');
  cache.put(msg, out);
  return out;
};

t.test('a name asked again: the same reply, with the new id, in a buffer of its own', async (t) => {
  const cache = new ReplyCache();
  t.equal(cache.get(query('a', 1)), undefined, 'nothing kept yet');
  const first = miss(cache, query('a', 1));
  const again = cache.get(query('a', 0xbeef))!;
  t.ok(again, 'kept');
  t.match(dnsPacket.decode(again), { id: 0xbeef, rcode: 'NOERROR', flag_aa: true, flag_rd: true, answers: [{ type: 'A', name: 'a', data: '10.201.0.2' }] });
  t.same(again.subarray(2), first.subarray(2), 'byte for byte the reply dns-packet made, but the id');
  t.equal(first.readUInt16BE(0), 1, 'the kept reply keeps its own id: every hit is a copy');
  t.equal(dnsPacket.decode(cache.get(query('nosuch', 2)) ?? miss(cache, query('nosuch', 2))).rcode, 'NXDOMAIN');
  t.equal(dnsPacket.decode(cache.get(query('nosuch', 3))!).rcode, 'NXDOMAIN', 'NXDOMAIN is kept too (emptied when the zone changes)');
});

t.test('a query that differs in any byte but the id misses', async (t) => {
  const cache = new ReplyCache();
  miss(cache, query('a', 1));
  t.equal(cache.get(query('A', 1)), undefined, 'another case of the name (0x20): the reply echoes the name as asked');
  t.equal(cache.get(query('a', 1, 'AAAA')), undefined, 'another type');
  t.equal(cache.get(query('a', 1, 'A', 0)), undefined, 'another RD bit: the reply echoes it');
  t.equal(cache.get(Buffer.from([0, 1, 2])), undefined, 'not a message');
});

t.test('replies that differ between askers are never kept', async (t) => {
  const cache = new ReplyCache();
  const rr = new RoundRobin();
  miss(cache, query('web', 1), rr);
  t.equal(cache.get(query('web', 2)), undefined, 'two addresses: the order rotates from one query to the next');
  const cut = miss(cache, query('big', 1), rr);
  t.ok(dnsPacket.decode(cut).flag_tc, 'forty addresses do not fit 512 bytes: truncated');
  t.equal(cache.get(query('big', 2)), undefined, 'truncated: not kept');
});

t.test('clear forgets every reply', async (t) => {
  const cache = new ReplyCache();
  miss(cache, query('a', 1));
  cache.clear();
  t.equal(cache.get(query('a', 2)), undefined);
});
