// The zones nslabd's DNS server answers from: names, aliases, PTR, NXDOMAIN, scope, upstream choice.
import t from 'tap';
import { buildZones, lookup, registrations, reverseAddress, upstreamsFor } from '../../../src/dns/zone.js';
import { emptyState, type ContainerRecord, type NetworkRecord, type State } from '../../../src/state/types.js';

const net = (name: string, third: number): NetworkRecord => ({
  name, id: name, driver: 'bridge', bridge: `br-${name}`, mtu: 1500, masquerade: true, icc: true, internal: false, created: '',
  subnets: [{ subnet: `10.20${third}.0.0/24`, gateway: `10.20${third}.0.1`, auxAddresses: {} }],
});
const ctr = (name: string, eps: Array<[string, string, string[]]>, extra: Partial<ContainerRecord> = {}): ContainerRecord => ({
  name, id: name, mode: 'network', status: 'ready', hostname: name, dns: [], dnsSearch: [], addHosts: [], request: {}, created: '',
  endpoints: eps.map(([network, ip, aliases], i) => ({ network, ifname: `eth${i}`, hostVeth: `v${name}${i}`, mac: '02:42:00:00:00:00', aliases, addresses: [{ ip, prefix: 24, gateway: ip.replace(/\.\d+$/, '.1') }] })),
  ...extra,
});
function state(): State {
  const s = emptyState();
  s.networks.lab = net('lab', 1);
  s.networks.other = net('other', 2);
  s.containers.b = ctr('b', [['lab', '10.201.0.3', ['web']]], { hostname: 'Bee' });
  s.containers.a = ctr('a', [['lab', '10.201.0.2', ['web', 'api']], ['other', '10.202.0.2', ['db']]], { dns: ['192.0.2.53'] });
  s.containers.h = { ...ctr('h', []), mode: 'host' };
  s.containers.x = ctr('x', [['other', '10.202.0.5', []]]);
  return s;
}

t.test('per network: names, hostnames and aliases → addresses there; sorted by container', async (t) => {
  const z = buildZones(state());
  const lab = z.byGateway.get('10.201.0.1')!;
  const other = z.byGateway.get('10.202.0.1')!;
  t.same(Object.fromEntries(lab.names), { a: ['10.201.0.2'], web: ['10.201.0.2', '10.201.0.3'], api: ['10.201.0.2'], b: ['10.201.0.3'], bee: ['10.201.0.3'] });
  t.same(Object.fromEntries(other.names), { a: ['10.202.0.2'], db: ['10.202.0.2'], x: ['10.202.0.5'] }, 'a on other has its address there, and only its aliases there');
  t.same(Object.fromEntries(lab.ptr), { '10.201.0.2': 'a.nslab.internal', '10.201.0.3': 'b.nslab.internal' });
  t.same(buildZones(state()), z, 'pure: the same state, the same zones');
  t.same([...registrations(z)].sort().slice(0, 3), ['lab a 10.201.0.2', 'lab api 10.201.0.2', 'lab b 10.201.0.3']);
});

t.test('lookup: bare and long names in any case, NXDOMAIN in the domain and for single labels, the rest forwarded', async (t) => {
  const lab = buildZones(state()).byGateway.get('10.201.0.1')!;
  t.same(lookup(lab, 'web', 'A'), { kind: 'a', addresses: ['10.201.0.2', '10.201.0.3'] });
  t.same(lookup(lab, 'WEB.nslab.internal.', 'A'), { kind: 'a', addresses: ['10.201.0.2', '10.201.0.3'] });
  t.same(lookup(lab, 'a', 'AAAA'), { kind: 'nodata' }, 'IPv4 only: AAAA of a known name is empty, not NXDOMAIN');
  t.same(lookup(lab, 'x', 'A'), { kind: 'nxdomain' }, 'scope: a name of network other is not one of lab');
  t.same(lookup(lab, 'db.nslab.internal', 'A'), { kind: 'nxdomain' });
  t.same(lookup(lab, 'nslab.internal', 'SOA'), { kind: 'nodata' });
  t.same(lookup(lab, 'www.example.test', 'A'), { kind: 'forward' });
  t.same(lookup(lab, '2.0.201.10.in-addr.arpa', 'PTR'), { kind: 'ptr', name: 'a.nslab.internal' });
  t.same(lookup(lab, '9.0.201.10.in-addr.arpa', 'PTR'), { kind: 'nxdomain' }, 'an unused address of the subnet');
  t.same(lookup(lab, '2.0.202.10.in-addr.arpa', 'PTR'), { kind: 'forward' }, 'outside the subnet');
  t.equal(reverseAddress('1.2.3.4.in-addr.arpa'), '4.3.2.1');
  t.equal(reverseAddress('01.2.3.4.in-addr.arpa'), undefined);
  t.equal(reverseAddress('1.2.3.256.in-addr.arpa'), undefined);
});

t.test("upstreams: the container's --dns, else nslabd's --dns, else the host's; never a gateway or loopback", async (t) => {
  const z = buildZones(state());
  t.same(upstreamsFor(z, '10.201.0.2', ['198.51.100.2'], ['192.0.2.1']), ['192.0.2.53'], 'a has --dns');
  t.same(upstreamsFor(z, '10.202.0.2', ['198.51.100.2'], ['192.0.2.1']), ['192.0.2.53'], 'on either of its networks');
  t.same(upstreamsFor(z, '10.201.0.3', ['198.51.100.2'], ['192.0.2.1']), ['198.51.100.2'], "b has none: nslabd's");
  t.same(upstreamsFor(z, '10.201.0.3', [], ['127.0.0.53', '192.0.2.1']), ['192.0.2.1'], "else the host's, loopback left out");
  t.same(upstreamsFor(z, '10.201.0.3', ['10.201.0.1'], []), [], 'a gateway would loop');
});
