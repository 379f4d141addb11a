// Engine.rebuildState and Engine.recoverNow on a fake host: records read back from the marks; half-built runs undone.
import { existsSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { IntentFile } from '../../../src/state/intent.js';
import type { ContainerRecord, State } from '../../../src/state/types.js';
import { lab, type Lab } from '../../helpers/engine-lab.js';

/** What a record says that the kernel holds (ids and creation times are new after a rebuild). */
const kernelFacts = (s: State) => ({
  networks: Object.values(s.networks).map(({ id: _i, created: _c, ...n }) => n),
  containers: Object.values(s.containers).map((c) => ({ name: c.name, mode: c.mode, shares: c.shares, endpoints: c.endpoints, hostname: c.hostname, dns: c.dns, dnsSearch: c.dnsSearch, dnsOptions: c.dnsOptions ?? [] })),
});

async function built(): Promise<Lab> {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork({ name: 'uvn', subnet: '10.201.0.0/24' });
  await l.engine.createNetwork({ name: 'uvm', subnet: '10.202.0.0/24', icc: false, masquerade: false, mtu: 1400 });
  await l.engine.createContainers([
    { name: 'uvt-a', networks: ['uvn', 'uvm'], aliases: ['web', 'www'] },
    { name: 'uvt-d', network: 'uvn', hostname: 'db', dns: ['192.0.2.7'], dnsSearch: ['lab.example'], dnsOptions: ['ndots:2'] },
    { name: 'uvt-h', network: 'host' },
    { name: 'uvt-n', network: 'none' },
    { name: 'uvt-s', network: 'container:uvt-a' },
  ]);
  l.reset();
  return l;
}

t.test('rebuild-state: networks and containers of every mode read back from the marks; nothing in the kernel changes', async (t) => {
  const l = await built();
  const was = await l.engine.readState();
  writeFileSync(l.stateFile, 'garbage');
  await t.rejects(l.engine.readState(), { name: 'CorruptStateError' });
  const st = await l.engine.rebuildState();
  t.same(kernelFacts(st), kernelFacts(was), 'the same networks and containers, as far as the kernel holds them');
  t.same(l.lines(), [], 'reads only');
  t.match(l.notices, [/ip-range and aux addresses .* could not be recovered/]);
  t.same(kernelFacts(await l.engine.readState()), kernelFacts(was), 'written to state.json');
  t.same((await l.engine.check()).drift, [], 'the rebuilt record describes the kernel exactly');
});

t.test('rebuild-state takes only this lab\'s marks', async (t) => {
  const l = await built();
  l.host.ip('link add nslab-x type bridge');
  l.host.ip('link set nslab-x alias nslab:ffffffff:network:x');
  l.host.ip('addr add 10.209.0.1/24 dev nslab-x');
  const st = await l.engine.rebuildState();
  t.same(Object.keys(st.networks).sort(), ['uvm', 'uvn']);
});

t.test('dry-run rebuild-state answers the record and writes nothing', async (t) => {
  const l = await built();
  writeFileSync(l.stateFile, 'garbage');
  const st = await l.dry().rebuildState();
  t.same(Object.keys(st.containers).sort(), ['uvt-a', 'uvt-d', 'uvt-h', 'uvt-n', 'uvt-s']);
  t.equal(l.stateText(), 'garbage');
  t.same(l.lines(), []);
});

/** uvt-d's network's other containers (uvt-a, and uvt-s sharing its namespace): their hosts files are written again. */
const PEERS_OF_D = ['write /etc/netns/uvt-a/hosts', 'write /etc/netns/uvt-s/hosts'];

/** Leave an intent behind as a run killed mid-way would. */
const leaveIntent = (l: Lab, intent: Parameters<IntentFile['write']>[0]) => new IntentFile(l.stateDir).write(intent);

t.test('recoverNow: a container named in the intent is torn down and unrecorded; the intent goes', async (t) => {
  const l = await built();
  const rec = (await l.engine.readState()).containers['uvt-d'] as ContainerRecord;
  leaveIntent(l, { containers: [rec] });
  await l.engine.recoverNow();
  t.same(l.lines(), [...PEERS_OF_D, 'ip netns del uvt-d', 'rm /etc/netns/uvt-d'], 'and the hosts files of its networks say what the records say');
  t.notOk((await l.engine.readState()).containers['uvt-d']);
  t.notOk(existsSync(new IntentFile(l.stateDir).path), 'intent cleared');
  t.same((await l.engine.check()).drift, []);
  l.reset();
  await l.engine.recoverNow();
  t.same(l.lines(), [], 'no intent: nothing to do');
});

t.test('recoverNow: a container in the intent but never recorded goes too', async (t) => {
  const l = await built();
  const st = JSON.parse(l.stateText()!);
  const rec = st.containers['uvt-d'];
  delete st.containers['uvt-d'];
  writeFileSync(l.stateFile, JSON.stringify(st));
  leaveIntent(l, { containers: [rec] });
  await l.engine.recoverNow();
  t.same(l.lines(), [...PEERS_OF_D, 'ip netns del uvt-d', 'rm /etc/netns/uvt-d']);
  t.notOk(l.host.spaces.has('uvt-d'));
});

t.test('recoverNow: an endpoint named in the intent is deleted, dropped, and the hosts files written as recorded', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork({ name: 'uvn', subnet: '10.201.0.0/24' });
  await l.engine.createNetwork({ name: 'uvm', subnet: '10.202.0.0/24' });
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  const e = await l.engine.connect('uvm', 'uvt-a');
  l.reset();
  leaveIntent(l, { containers: [], endpoints: [{ container: 'uvt-a', endpoint: e }] });
  await l.engine.recoverNow();
  t.same(l.lines(), ['write /etc/netns/uvt-a/hosts', 'ip link del nv-uvt-a-1']);
  t.same((await l.engine.readState()).containers['uvt-a']!.endpoints.map((x) => x.ifname), ['eth0']);
  t.same((await l.engine.check()).drift, []);
});

t.test('any change first undoes what the intent names', async (t) => {
  const l = await built();
  const rec = (await l.engine.readState()).containers['uvt-d'] as ContainerRecord;
  leaveIntent(l, { containers: [rec] });
  await l.engine.createContainers([{ name: 'uvt-b', network: 'uvn' }]);
  t.same(l.lines().slice(0, 4), [...PEERS_OF_D, 'ip netns del uvt-d', 'rm /etc/netns/uvt-d']);
  t.match(l.lines().slice(4).join('\n'), /netns add uvt-b/);
});

t.test('a dry-run change leaves the intent alone', async (t) => {
  const l = await built();
  const rec = (await l.engine.readState()).containers['uvt-d'] as ContainerRecord;
  leaveIntent(l, { containers: [rec] });
  await l.dry().recoverNow();
  t.same(l.lines(), []);
  t.ok(existsSync(new IntentFile(l.stateDir).path));
});
