// The diagram's reader over a fake kernel: it only reads, every named namespace is looked into,
// and one that vanishes mid-read is left out with a note instead of failing the whole diagram.
import t from 'tap';
import { FakeRunner } from '../../helpers/fake-runner.js';

const links = (xs: object[]) => ({ stdout: JSON.stringify(xs) });
const up = ['UP', 'LOWER_UP'];

/** read.ts with /run/netns holding `names` (identities by name) and the state directory absent. */
async function reader(names: string[]) {
  const observe = await import('../../../src/kernel/observe.js');
  return t.mockImport<typeof import('../../../src/topology/read.js')>('../../../src/topology/read.js', {
    '../../../src/kernel/observe.js': { ...observe, nsIdentity: (p: string) => (p === '/proc/self/ns/net' ? '4:1' : `4:${100 + names.indexOf(p.split('/').pop()!)}`) },
    '../../../src/kernel/netns.js': { NETNS_DIR: '/run/netns', listNetns: async () => new Set(names) },
  });
}

t.test('a namespace gone between the listing and its read is a note; the rest is drawn', async (t) => {
  const { readTopology } = await reader(['c1', 'gone']);
  const runner = new FakeRunner({
    'ip -json -d link show': links([{ ifindex: 1, ifname: 'lo', mtu: 65536, flags: ['LOOPBACK', ...up] }, { ifindex: 5, ifname: 'v1', mtu: 1500, flags: up, link_index: 2, link_netnsid: 0, linkinfo: { info_kind: 'veth' } }]),
    'ip -json netns list-id': { stdout: JSON.stringify([{ nsid: 0, name: 'c1' }]) },
    'ip -n c1 -json -d link show': links([{ ifindex: 2, ifname: 'eth0', mtu: 1500, flags: up, link_index: 5, link_netnsid: 0, linkinfo: { info_kind: 'veth' } }]),
    'iptables-save -t nat': { stdout: '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.1.0.0/24 -j MASQUERADE\nCOMMIT\n' },
  }, (cmd) => (cmd.netns === 'gone' ? { exitCode: 1, stderr: 'Cannot open network namespace "gone": No such file or directory' } : undefined));
  const topo = await readTopology(runner, { stateDir: '/nonexistent/nslab-state' });
  t.same(topo.namespaces.map((n) => n.name), ['c1']);
  t.same(topo.notes, ['namespace gone went away (or could not be entered) while it was read']);
  t.same(topo.veths.map((v) => [v.a.name, v.b?.netns, v.b?.name]), [['v1', 'c1', 'eth0']], 'the host end paired with eth0 in c1');
  t.equal(topo.masquerades.length, 1);
  t.equal(topo.labId, undefined, 'no state directory: no lab, nothing is "this lab\'s"');
  t.same(runner.ran, [], 'nothing that changes anything ran');
});

t.test('VXLAN peers come from its forwarding database; an unreadable nat table is a note', async (t) => {
  const { readTopology } = await reader([]);
  const runner = new FakeRunner({
    'ip -json -d link show': links([{ ifindex: 3, ifname: 'vx0', mtu: 1450, flags: up, linkinfo: { info_kind: 'vxlan', info_data: { id: 7, link: 'eth1', port: 4789 } } }]),
    'bridge -json fdb show dev vx0': { stdout: JSON.stringify([{ mac: '00:00:00:00:00:00', dst: '192.0.2.9' }, { mac: '00:00:00:00:00:00', dst: '192.0.2.8' }, { mac: 'aa:bb:cc:dd:ee:ff' }]) },
    'iptables-save -t nat': { exitCode: 1, stderr: 'iptables-save: command not found' },
  });
  const topo = await readTopology(runner, {});
  t.same(topo.vxlans.map((x) => [x.name, x.vni, x.dev, x.peers]), [['vx0', 7, 'eth1', ['192.0.2.8', '192.0.2.9']]]);
  t.same(topo.notes, ['the nat table could not be read: iptables-save: command not found']);
});
