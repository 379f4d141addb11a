// DNS messages through dns-packet: answers, round robin, PTR, NXDOMAIN, REFUSED, truncation, forwarding.
import t from 'tap';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { answer, decodeQuery, RCODE, RoundRobin } from '../../../src/dns/answer.js';
import { forward } from '../../../src/dns/forward.js';
import type { NetworkZone } from '../../../src/dns/zone.js';
import { parseCidr4, type Cidr4 } from '../../../src/ipam/cidr.js';

const many = Array.from({ length: 40 }, (_, i) => `10.201.0.${i + 10}`);
const zone: NetworkZone = {
  network: 'lab', gateway: '10.201.0.1', subnet: parseCidr4('10.201.0.0/24') as Cidr4,
  names: new Map([['web', ['10.201.0.2', '10.201.0.3', '10.201.0.4']], ['a', ['10.201.0.2']], ['big', many]]),
  ptr: new Map([['10.201.0.2', 'a.nslab.internal']]),
};
const query = (name: string, type: 'A' | 'PTR' | 'AAAA' = 'A', id = 7) =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
const ask = (name: string, type: 'A' | 'PTR' | 'AAAA' = 'A', rr = new RoundRobin(), source = '10.201.0.9', udp = true) => {
  const out = answer(zone, decodeQuery(query(name, type))!, source, rr, udp);
  return out === 'forward' ? out : dnsPacket.decode(out);
};

t.test('A records of an alias, rotated between queries (round robin)', async (t) => {
  const rr = new RoundRobin();
  const firsts = [0, 1, 2, 3].map(() => ask('web', 'A', rr)).map((r) => (r as dnsPacket.DecodedPacket).answers!.map((a) => a.data));
  for (const f of firsts) t.same([...f].sort(), ['10.201.0.2', '10.201.0.3', '10.201.0.4'], 'every address, each time');
  t.same(firsts.map((f) => f[0]), ['10.201.0.2', '10.201.0.3', '10.201.0.4', '10.201.0.2'], 'the first one moves on, and wraps');
  const r = ask('a') as dnsPacket.DecodedPacket;
  t.match(r, { id: 7, type: 'response', rcode: 'NOERROR', flag_aa: true, flag_rd: true, flag_ra: true });
  t.match(r.answers, [{ type: 'A', name: 'a', ttl: 0, data: '10.201.0.2' }], 'TTL 0: a removed name is gone at once');
});

t.test('PTR, NXDOMAIN, no data, REFUSED for a source outside the network, forward for the rest', async (t) => {
  t.match((ask('2.0.201.10.in-addr.arpa', 'PTR') as dnsPacket.DecodedPacket).answers, [{ type: 'PTR', data: 'a.nslab.internal' }]);
  t.match(ask('nosuch'), { rcode: 'NXDOMAIN', answers: [] });
  t.match(ask('a', 'AAAA'), { rcode: 'NOERROR', answers: [] });
  t.match(ask('a', 'A', new RoundRobin(), '10.202.0.5'), { rcode: 'REFUSED', answers: [] }, 'scope: a container of another network');
  t.equal(ask('www.example.test'), 'forward');
});

t.test('over UDP an answer is cut to 512 bytes and flagged truncated; over TCP it is whole', async (t) => {
  const udp = ask('big') as dnsPacket.DecodedPacket;
  t.ok(udp.flag_tc, 'TC set');
  t.ok(udp.answers!.length < many.length);
  t.ok(dnsPacket.encode(udp).length <= 512);
  const tcp = ask('big', 'A', new RoundRobin(), '10.201.0.9', false) as dnsPacket.DecodedPacket;
  t.notOk(tcp.flag_tc);
  t.equal(tcp.answers!.length, many.length);
});

t.test('forward: the first upstream that answers, the reply as it came; undefined when none does', async (t) => {
  const up = createSocket('udp4');
  up.on('message', (m, r) => {
    const q = dnsPacket.decode(m);
    up.send(dnsPacket.encode({ type: 'response', id: q.id, questions: q.questions, answers: [{ type: 'A', name: q.questions![0]!.name, data: '192.0.2.7' }] }), r.port, r.address);
  });
  await new Promise<void>((r) => up.bind(0, '127.0.0.1', r));
  const port = up.address().port;
  t.teardown(() => up.close());
  const got = await forward(query('www.example.test', 'A', 4242), ['127.0.0.1'], false, 1000, port);
  t.match(dnsPacket.decode(got!), { id: 4242, answers: [{ data: '192.0.2.7' }] });
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  t.teardown(() => silent.close());
  const started = Date.now();
  t.equal(await forward(query('x.example.test'), ['127.0.0.1'], false, 200, silent.address().port), undefined, 'a silent upstream: nothing');
  t.ok(Date.now() - started < 1000, 'after the timeout');
});
