// The topology from fixed kernel reads: veth ends paired across namespaces, owners, NAT, macvlan, VXLAN.
import t from 'tap';
import { assemble } from '../../../src/topology/assemble.js';
import { aliasMark, parseMarker } from '../../../src/topology/marks.js';
import { masqueradesOf, portsOf } from '../../../src/topology/nat.js';
import { CONTAINERS, LAB, rawFixture } from '../../helpers/topology-fixture.js';

t.test('each veth is one pair with both ends named, the far one in its namespace', async (t) => {
  const topo = assemble(rawFixture());
  const pairs = topo.veths.map((v) => `${v.a.netns ?? 'host'}:${v.a.name} ${v.b ? `${v.b.netns ?? 'host'}:${v.b.name}` : '-'}`);
  t.same(pairs.sort(), [...CONTAINERS.map((c) => `host:nv-${c}-0 ${c}:eth0`), 'host:vhost hand:vpeer'].sort());
  const web1 = topo.veths.find((v) => v.a.name === 'nv-web1-0')!;
  t.same(web1.b?.addrs, ['10.88.1.2/24'], 'the far end carries its addresses (link-local left out)');
  t.same(web1.owner, { nslab: true, lab: LAB, thisLab: true, recorded: true });
  t.same(web1.endpoint, { container: 'web1', ifname: 'eth0' });
  t.same(topo.veths.find((v) => v.a.name === 'vhost')!.owner, { nslab: false }, 'a veth without the mark is not nslab\'s');
});

t.test('indexes alone do not pair: the peer must name the link back', async (t) => {
  const raw = rawFixture();
  const hand = raw.named.find((n) => n.name === 'hand')!;
  hand.view.links[1] = { ...hand.view.links[1]!, link_index: 99 };
  const topo = assemble(raw);
  t.equal(topo.veths.find((v) => v.a.name === 'vhost')!.b, undefined, 'no peer found: left unnamed rather than guessed');
  t.equal(topo.namespaces.find((n) => n.name === 'hand')!.attached, false);
});

t.test('bridges, namespaces and who made them', async (t) => {
  const topo = assemble(rawFixture());
  t.same(topo.bridges.map((b) => [b.name, b.network, b.owner.nslab, b.addrs, b.ports.length]), [
    ['nslab-web', 'web', true, ['10.88.1.1/24'], 3], ['nslab-db', 'db', true, ['10.88.2.1/24'], 3], ['br0', undefined, false, ['10.99.0.1/24'], 1],
  ]);
  const ns = (n: string) => topo.namespaces.find((x) => x.name === n)!;
  t.same(ns('web1').aliases, ['web1x'], 'a shared namespace is one, with both names');
  t.same(ns('web1').gateway, { via: '10.88.1.1', dev: 'eth0' });
  t.ok(ns('web1').owner.thisLab && ns('web1').owner.recorded);
  t.same(ns('hand').owner, { nslab: false });
  t.equal(ns('lonely').attached, false, 'a namespace no link joins to the host');
  t.ok(ns('nslt-x-h').isHost, 'a name of the host\'s own namespace');
  t.same(topo.host.gateway, { via: '10.0.2.2', dev: 'eth0' });
  t.same(topo.host.ifaces.map((i) => i.name), ['eth0']);
});

t.test('macvlan parent in the host, VXLAN peers from the fdb', async (t) => {
  const topo = assemble(rawFixture());
  t.same(topo.children.map((c) => [c.kind, c.end.netns, c.end.name, c.parent, c.mode]), [['macvlan', 'mv', 'mv0', 'eth0', 'bridge']]);
  t.ok(topo.namespaces.find((n) => n.name === 'mv')!.attached);
  t.same(topo.vxlans.map((x) => [x.name, x.vni, x.dev, x.port, x.peers]), [['vx0', 42, 'eth0', 4789, ['192.0.2.7', '192.0.2.8']]]);
});

t.test('MASQUERADE and published ports from the nat table, nslab\'s and not', async (t) => {
  const { nat } = rawFixture();
  const text = (nat as { text: string }).text;
  t.same(masqueradesOf(text, LAB).map((m) => [m.source, m.out ?? `! ${m.notOut}`, m.network, m.owner.nslab]), [
    ['10.88.1.0/24', '! nslab-web', 'web', true], ['10.88.2.0/24', '! nslab-db', 'db', true], ['10.99.0.0/24', 'eth0', undefined, false],
  ], 'in the order a packet meets them; a port\'s hairpin MASQUERADE belongs to the port, not listed');
  t.same(portsOf(text, LAB).map((p) => [p.protocol, p.hostIp, p.hostPort, p.toIp, p.toPort, p.container]), [
    ['tcp', undefined, '8080', '10.88.1.2', '80', 'web1'], ['udp', '127.0.0.1', '5353', '10.88.2.2', '53', 'db1'],
  ], 'reached from PREROUTING and OUTPUT, each once');
  t.same(assemble(rawFixture({ nat: { error: 'iptables-save: not found' } })).notes, ['the nat table could not be read: iptables-save: not found']);
});

t.test('marks of any lab are read; another lab\'s are nslab\'s but not this lab\'s', async (t) => {
  t.same(aliasMark(`nslab:${LAB}:network:web`, LAB), { owner: { nslab: true, lab: LAB, thisLab: true }, network: 'web' });
  t.same(aliasMark('nslab:12345678:endpoint:c1:eth0', LAB), { owner: { nslab: true, lab: '12345678', thisLab: false }, endpoint: { container: 'c1', ifname: 'eth0' } });
  t.same(aliasMark('nslab:network:old', LAB).owner, { nslab: true, thisLab: false });
  t.same(aliasMark('my bridge', LAB).owner, { nslab: false });
  t.same(parseMarker('# nslab: managed by nslab for container c1 (host net:[4026531840], lab 12345678)\nnameserver 1.1.1.1\n'), { container: 'c1', host: 'net:[4026531840]', lab: '12345678' });
  t.equal(parseMarker('nameserver 1.1.1.1\n'), undefined);
});
