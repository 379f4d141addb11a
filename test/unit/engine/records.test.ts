// Records read back are checked like user input: a bad one is reported once and dropped.
import t from 'tap';
import { vetIntent, vetState } from '../../../src/engine/records.js';
import type { ContainerRecord, NetworkRecord, State } from '../../../src/state/types.js';

const net: NetworkRecord = {
  name: 'lab', id: 'n1', driver: 'bridge', bridge: 'nslab-lab', subnets: [{ subnet: '10.1.0.0/24', gateway: '10.1.0.1', auxAddresses: {} }],
  mtu: 1500, masquerade: true, icc: true, internal: false, created: '',
};
const c = (name: string, over: Partial<ContainerRecord> = {}): ContainerRecord => ({
  name, id: 'c', mode: 'network', status: 'ready', hostname: name, dns: [], dnsSearch: [], addHosts: [], request: {}, created: '',
  endpoints: [{ network: 'lab', ifname: 'eth0', hostVeth: `nv-${name}-0`.slice(0, 15), addresses: [{ ip: '10.1.0.2', prefix: 24, gateway: '10.1.0.1' }], mac: '02:42:0a:01:00:02', aliases: [] }],
  ...over,
});

t.test('good records stay, bad ones go with one line each', async (t) => {
  const s: State = {
    version: 3,
    networks: { lab: net, evil: { ...net, name: 'evil', bridge: 'br0; rm -rf /' } },
    containers: {
      ok_1: c('ok_1'),
      '../../tmp/x': c('../../tmp/x'),
      alias: c('other'),
      veth: c('veth', { endpoints: [{ ...c('veth').endpoints[0]!, hostVeth: '../x' }] }),
      hosts: c('hosts', { addHosts: [{ name: 'a\n1.2.3.4 bank', ip: '10.1.0.9' }] }),
      shares: c('shares', { mode: 'container', shares: '..', endpoints: [] }),
    },
  };
  const lines: string[] = [];
  vetState(s, (l) => lines.push(l));
  t.same(Object.keys(s.networks), ['lab']);
  t.same(Object.keys(s.containers), ['ok_1']);
  t.equal(lines.length, 6, 'one line per bad record');
  t.match(lines.join('\n'), /"\.\.\/\.\.\/tmp\/x" is invalid/);
  t.match(lines.join('\n'), /recorded under another name/);
  const again: string[] = [];
  vetState(s, (l) => again.push(l));
  t.same(again, [], 'idempotent');
});

t.test('intent entries are checked the same way', async (t) => {
  const lines: string[] = [];
  const i = vetIntent({ containers: [c('ok'), c('../x')], endpoints: [{ container: '../y', endpoint: c('z').endpoints[0]! }, { container: 'ok', endpoint: c('ok').endpoints[0]! }] }, (l) => lines.push(l));
  t.same(i.containers.map((x) => x.name), ['ok']);
  t.same(i.endpoints!.map((x) => x.container), ['ok']);
  t.equal(lines.length, 2);
});

t.test('version 2 lists: one IPv4 entry, at most one per family, a known driver', async (t) => {
  const sub = net.subnets[0]!;
  const addr = c('x').endpoints[0]!.addresses[0]!;
  const ep = (addresses: unknown) => ({ ...c('x').endpoints[0]!, addresses }) as never;
  const s: State = {
    version: 3,
    networks: {
      lab: net,
      nosub: { ...net, name: 'nosub', subnets: [] },
      flat: { ...net, name: 'flat', subnets: undefined as never },
      two: { ...net, name: 'two', subnets: [sub, { ...sub, subnet: '10.2.0.0/24' }] },
      badaux: { ...net, name: 'badaux', subnets: [{ ...sub, auxAddresses: { r: 'x' } }] },
      six: { ...net, name: 'six', subnets: [{ subnet: 'fd00::/64', gateway: 'fd00::1', auxAddresses: {} }] },
      mv: { ...net, name: 'mv', driver: 'macvlan' as never },
    },
    containers: {
      ok: c('ok'),
      noaddr: c('noaddr', { endpoints: [ep([])] }),
      twoaddr: c('twoaddr', { endpoints: [ep([addr, { ...addr, ip: '10.1.0.3' }])] }),
      prefix: c('prefix', { endpoints: [ep([{ ...addr, prefix: 33 }])] }),
      nogw: c('nogw', { endpoints: [ep([{ ip: '10.1.0.4', prefix: 24 }])] }),
      badgw: c('badgw', { endpoints: [ep([{ ...addr, gateway: 'x' }])] }),
      v1: c('v1', { endpoints: [{ network: 'lab', ifname: 'eth0', hostVeth: 'nv-v1-0', ip: '10.1.0.5', prefix: 24, gateway: '10.1.0.1', mac: '02:42:0a:01:00:05', aliases: [] } as never] }),
    },
  };
  const lines: string[] = [];
  vetState(s, (l) => lines.push(l));
  t.same(Object.keys(s.networks), ['lab']);
  t.same(Object.keys(s.containers), ['ok', 'nogw'], 'a gateway is optional on an address');
  t.equal(lines.length, 11);
  t.match(lines.join('\n'), /"nosub" is invalid \(subnets: is not a non-empty list\)/);
  t.match(lines.join('\n'), /"two" is invalid \(subnets: holds two entries of one address family\)/);
  t.match(lines.join('\n'), /"mv" is invalid \(driver: "macvlan" is not a driver this nslab knows\)/);
  t.match(lines.join('\n'), /"six" is invalid \(subnet: /, 'no IPv6 subnet is valid yet');
  t.match(lines.join('\n'), /"v1" is invalid \(addresses: is not a non-empty list\)/, 'a version 1 endpoint is not taken for a version 2 one');
});
