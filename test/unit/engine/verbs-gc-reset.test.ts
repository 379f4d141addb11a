// Engine.gc and Engine.reset on a fake host: what carries this lab's mark and no record goes; other marks stay.
import { writeFileSync } from 'node:fs';
import t from 'tap';
import { LAB, lab, type Lab } from '../../helpers/engine-lab.js';
import { IncompleteError } from '../../../src/errors.js';

const NET = { name: 'uvn', subnet: '10.201.0.0/24' };

/** A lab with uvn and uvt-a recorded, and uvt-z built but unrecorded (a run killed before its record was written). */
async function withLeftover(): Promise<Lab> {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork(NET);
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  const hosts = l.host.readEtc('uvt-a', 'hosts')!;
  await l.engine.createContainers([{ name: 'uvt-z', network: 'uvn' }]);
  // Killed before uvt-a's hosts file learnt uvt-z's name, too.
  l.host.writeEtc('uvt-a', 'hosts', hosts);
  const st = JSON.parse(l.stateText()!);
  delete st.containers['uvt-z'];
  writeFileSync(l.stateFile, JSON.stringify(st));
  l.reset();
  return l;
}

/** A link the test puts on the host, with an alias (or none). */
function addLink(l: Lab, name: string, kind: 'veth' | 'bridge', alias?: string) {
  l.host.ip(kind === 'veth' ? `link add ${name} type veth peer name ${name.replace(/^nv-/, 'peer-')}` : `link add ${name} type bridge`);
  if (alias) l.host.ip(`link set ${name} alias ${alias}`);
}

t.test('check names the unrecorded leftover; gc removes its namespace, mark and veth, and nothing recorded', async (t) => {
  const l = await withLeftover();
  t.match((await l.engine.check()).drift, [{ kind: 'unrecorded', what: /uvt-z/ }, { kind: 'unrecorded', what: /uvt-z/ }, { kind: 'unrecorded', what: /nv-uvt-z-0/ }]);
  const before = l.stateText();
  const r = await l.engine.gc();
  t.same(r.removed, ['netns uvt-z', '/etc/netns/uvt-z', 'link nv-uvt-z-0']);
  t.same(l.lines(), ['ip netns del uvt-z', 'rm /etc/netns/uvt-z', 'ip link del nv-uvt-z-0'], 'the veth delete tolerates its going with the namespace');
  t.notOk(l.host.spaces.has('uvt-z'));
  t.equal(l.host.readEtc('uvt-z', 'hosts'), undefined);
  t.ok(l.host.link('nv-uvt-a-0'), 'the recorded container is untouched');
  t.equal(l.stateText(), before, 'gc changes no record');
  t.same((await l.engine.check()).drift, []);
  l.reset();
  t.same(await l.engine.gc(), { removed: [], lookalikes: [] }, 'again: nothing left');
  t.same(l.lines(), []);
});

t.test('gc: marked links no record explains go; another lab\'s stay unseen; unmarked and old-format ones are reported', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork(NET);
  addLink(l, 'nv-uvt-x-0', 'veth', `nslab:${LAB}:endpoint:uvt-x:eth0`);
  addLink(l, 'nslab-gone', 'bridge', `nslab:${LAB}:network:gone`);
  addLink(l, 'nv-uvt-o-0', 'veth', 'nslab:ffffffff:endpoint:uvt-o:eth0');
  addLink(l, 'nslab-other', 'bridge', 'nslab:ffffffff:network:other');
  addLink(l, 'nv-uvt-q-0', 'veth', 'nslab:endpoint:uvt-q:eth0');
  addLink(l, 'nv-uvt-u-0', 'veth');
  l.iptables.networks.set('gone', { name: 'gone', iface: 'nslab-gone', subnet: '10.209.0.0/24', masquerade: true, icc: true, internal: false });
  l.reset();
  const r = await l.engine.gc();
  t.same(r.removed, ['link nv-uvt-x-0', 'link nslab-gone', 'rules of gone']);
  t.same(l.lines(), ['ip -batch - <<link del nv-uvt-x-0 | link del nslab-gone', 'fakefw del network gone'], 'veths, then bridges, then rules');
  t.match(r.lookalikes, [/nv-uvt-u-0 .*no nslab alias/, /nv-uvt-q-0 .*before lab ids/]);
  t.equal(r.lookalikes.length, 2);
  for (const kept of ['nv-uvt-o-0', 'nslab-other', 'nv-uvt-q-0', 'nv-uvt-u-0', 'nslab-uvn']) t.ok(l.host.link(kept), `${kept} kept`);
  t.notMatch(JSON.stringify(r), /uvt-o|other/, "another lab's objects are not even named");
});

t.test('dry-run gc prints the removal, runs nothing', async (t) => {
  const l = await withLeftover();
  const r = await l.dry().gc();
  t.same(r.removed, ['netns uvt-z', '/etc/netns/uvt-z', 'link nv-uvt-z-0']);
  t.same(l.lines(), []);
  t.match(l.script.join(''), /ip netns del uvt-z[^]*rm -rf \/etc\/netns\/uvt-z[^]*ip link del nv-uvt-z-0/);
  t.ok(l.host.spaces.has('uvt-z'));
});

t.test('reset: containers, leftovers, networks and their rules go; the record is empty; twice is fine', async (t) => {
  const l = await withLeftover();
  await l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-a' }]);
  l.iptables.shared = true;
  l.reset();
  await l.engine.reset();
  const lines = l.lines();
  t.same(lines.slice(0, 3), ['ip -batch - <<netns del uvt-a | netns del uvt-s', 'rm /etc/netns/uvt-a', 'rm /etc/netns/uvt-s'], 'recorded containers first, sharers with them');
  t.same(lines.slice(3), ['ip netns del uvt-z', 'rm /etc/netns/uvt-z', 'ip link del nv-uvt-z-0', 'fakefw del network uvn', 'ip link del nslab-uvn', 'fakefw del shared'],
    'then what the marks show, then the networks, then what they shared');
  t.same(JSON.parse(l.stateText()!), { version: 3, networks: {}, containers: {}, labId: LAB });
  t.same(l.host.host.links.map((x) => x.ifname), ['lo'], 'the host has only lo left');
  t.same([...l.host.spaces.keys()], []);
  l.reset();
  await l.engine.reset();
  t.same(l.lines(), [], 'again: nothing to do');
});

t.test('reset with an unreadable state file goes by the marks alone', async (t) => {
  const l = await withLeftover();
  writeFileSync(l.stateFile, '{ "version": 3, "netw');
  await t.rejects(l.engine.createContainers([{ name: 'uvt-b', network: 'uvn' }]), { name: 'CorruptStateError' }, 'other verbs refuse');
  await l.engine.reset();
  t.same(l.lines(), [
    'ip -batch - <<netns del uvt-a | netns del uvt-z', 'rm /etc/netns/uvt-a', 'rm /etc/netns/uvt-z',
    // The veths went with their namespaces: the batch stops at the first absent one, and the rest runs again.
    'ip -batch - <<link del nv-uvt-a-0 | link del nv-uvt-z-0 | link del nslab-uvn', 'ip -batch - <<link del nv-uvt-z-0 | link del nslab-uvn', 'ip link del nslab-uvn',
    'fakefw del network uvn',
  ]);
  t.same(l.host.host.links.map((x) => x.ifname), ['lo']);
  t.same(JSON.parse(l.stateText()!).containers, {});
});

t.test('dry-run reset prints the removal of containers, leftovers and networks, and changes nothing', async (t) => {
  const l = await withLeftover();
  const before = l.stateText();
  await l.dry().reset();
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
  const script = l.script.join('');
  for (const re of [/\nip netns del uvt-a\n/, /\nrm -rf \/etc\/netns\/uvt-a\n/, /\nip netns del uvt-z\n/, /\nip link del nv-uvt-z-0\n/]) t.match(script, re);
  t.match(script, /\nip link del nslab-uvn\n/, "the network's bridge, whose ports the printed steps remove");
  t.match(script, /fakefw del network uvn/, "and its rules");
  t.ok(l.host.link('nslab-uvn'));
  t.ok(l.host.spaces.has('uvt-a'));
});

t.test("another lab's namespace and /etc/netns entry are neither removed by gc nor by reset", async (t) => {
  const l = await withLeftover();
  // uvt-z, as if another lab (another state directory) had made it: its marks name that lab.
  for (const f of ['hosts', 'resolv.conf'] as const) l.host.writeEtc('uvt-z', f, l.host.readEtc('uvt-z', f)!.replace(`lab ${LAB})`, 'lab ffffffff)'));
  l.host.ip('link set nv-uvt-z-0 alias nslab:ffffffff:endpoint:uvt-z:eth0');
  l.host.ip('link add nslab-z type bridge');
  l.host.ip('link set nslab-z alias nslab:ffffffff:network:z');
  l.host.ip('link set nv-uvt-z-0 master nslab-z');
  t.same(await l.engine.gc(), { removed: [], lookalikes: [] });
  await l.engine.reset();
  t.notOk(l.lines().some((x) => /uvt-z/.test(x)), 'nothing of it touched');
  t.ok(l.host.spaces.has('uvt-z'));
  t.ok(l.host.link('nv-uvt-z-0'));
  t.ok(l.host.link('nslab-z'));
  t.notOk(l.host.spaces.has('uvt-a'), 'while our own went');
  t.notOk(l.host.link('nslab-uvn'));
});

t.test('reset with a port nslab did not record on its bridge: the rest goes, the network stays, exit 1 (not "nothing changed")', async (t) => {
  const l = await withLeftover();
  addLink(l, 'eth-foreign', 'veth');
  l.host.ip('link set eth-foreign master nslab-uvn');
  const err = await l.engine.reset().catch((e: unknown) => e);
  t.type(err, IncompleteError);
  t.match((err as IncompleteError).message, /bridge nslab-uvn still has ports \(eth-foreign\)/);
  t.notOk(l.host.spaces.has('uvt-a'), 'the containers went');
  t.notOk(l.host.spaces.has('uvt-z'), 'and the leftovers');
  t.ok(l.host.link('nslab-uvn'), 'the bridge stays, with the port that is not ours');
  t.same(Object.keys(JSON.parse(l.stateText()!).networks), ['uvn'], 'still recorded: a second reset, once the port is gone, finishes');
});
