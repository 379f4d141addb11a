// Engine.removeContainers on a fake host: what goes and in which order, absent names, shared namespaces, foreign ones, dry-run.
import t from 'tap';
import { ConflictError, IncompleteError } from '../../../src/errors.js';
import { lab } from '../../helpers/engine-lab.js';

const NET = { name: 'uvn', subnet: '10.201.0.0/24' };

async function built() {
  const l = lab();
  await l.engine.createNetwork(NET);
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }, { name: 'uvt-b', network: 'uvn' }]);
  l.reset();
  return l;
}

/** uvt-b's hosts file written again without uvt-a. */
const PEER_B = ['write /etc/netns/uvt-b/hosts'];

const recorded = (l: ReturnType<typeof lab>) => Object.keys(JSON.parse(l.stateText()!).containers).sort();

t.test('remove: the namespace (its veth goes with it), then the files; unrecorded', async (t) => {
  const l = await built();
  t.same(await l.engine.removeContainers(['uvt-a']), ['uvt-a']);
  t.same(l.lines(), ['ip netns del uvt-a', 'rm /etc/netns/uvt-a', ...PEER_B], "and uvt-b's hosts file stops naming it");
  t.notMatch(l.host.readEtc('uvt-b', 'hosts'), /uvt-a/);
  t.same(recorded(l), ['uvt-b']);
  t.notOk(l.host.link('nv-uvt-a-0'), 'the host end went with the namespace');
  t.ok(l.host.link('nv-uvt-b-0'), 'the other container is untouched');
  t.same((await l.engine.check()).drift, [], 'nothing left behind, nothing of uvt-b missing');
});

t.test('absent names are success and run nothing; a name given twice goes once', async (t) => {
  const l = await built();
  t.same(await l.engine.removeContainers(['uvt-zz']), []);
  t.same(l.lines(), []);
  t.same(await l.engine.removeContainers(['uvt-a', 'uvt-a', 'uvt-zz']), ['uvt-a']);
  t.same(l.lines(), ['ip netns del uvt-a', 'rm /etc/netns/uvt-a', ...PEER_B]);
  l.reset();
  t.same(await l.engine.removeContainers(['uvt-a']), [], 'again: already gone');
  t.same(l.lines(), []);
});

t.test('a shared namespace is refused without force; with force its veths go first and the sharer is told', async (t) => {
  const l = await built();
  await l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-a' }]);
  l.reset();
  const before = l.stateText();
  await t.rejects(l.engine.removeContainers(['uvt-a']), ConflictError);
  await t.rejects(l.engine.removeContainers(['uvt-a']), /shared by uvt-s \(network container:uvt-a\)/);
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
  t.same(await l.engine.removeContainers(['uvt-a'], true), ['uvt-a']);
  t.same(l.lines(), ['ip -batch - <<link del nv-uvt-a-0 | netns del uvt-a', 'rm /etc/netns/uvt-a', ...PEER_B], 'the veth first: the namespace outlives the name');
  t.match(l.notices, [/--force: uvt-s shared the namespace of uvt-a; it keeps that namespace with only lo/]);
  t.same(recorded(l), ['uvt-b', 'uvt-s']);
  t.ok(l.host.spaces.has('uvt-s'), 'the namespace lives on under the name of its sharer');
});

t.test('removing a container with its sharers in one request needs no force', async (t) => {
  const l = await built();
  await l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-a' }]);
  l.reset();
  t.same((await l.engine.removeContainers(['uvt-a', 'uvt-s'])).sort(), ['uvt-a', 'uvt-s']);
  t.same(l.lines(), ['ip -batch - <<netns del uvt-a | netns del uvt-s', 'rm /etc/netns/uvt-a', 'rm /etc/netns/uvt-s', ...PEER_B], 'the marks go last, then the peers learn');
  t.notOk(l.host.link('nv-uvt-a-0'), 'the namespace went with its last name, and its veth with it');
});

t.test('a namespace without nslab mark is left alone: only the record goes', async (t) => {
  const l = await built();
  l.host.writeEtc('uvt-a', 'hosts', '127.0.0.1 localhost\n');
  l.host.writeEtc('uvt-a', 'resolv.conf', 'nameserver 192.0.2.1\n');
  t.same(await l.engine.removeContainers(['uvt-a']), ['uvt-a']);
  t.same(l.lines(), PEER_B, 'nothing deleted; the peer stops naming it');
  t.match(l.notices, [/container uvt-a: the namespace or \/etc\/netns\/uvt-a carries no nslab mark/]);
  t.same(recorded(l), ['uvt-b']);
});

t.test('a failing step: the rest still runs, the container stays recorded, and the error lists the failure', async (t) => {
  const l = await built();
  l.host.failIp = (line) => (line === 'netns del uvt-a' ? 'Device or resource busy' : undefined);
  const err = await l.engine.removeContainers(['uvt-a', 'uvt-b']).catch((e: unknown) => e);
  t.ok(err instanceof IncompleteError);
  t.match((err as Error).message, /uvt-a/);
  t.same(l.lines(), ['ip -batch - <<netns del uvt-a | netns del uvt-b', 'ip netns del uvt-b', 'rm /etc/netns/uvt-b', 'write /etc/netns/uvt-a/hosts'], 'the batch failed at its first line; the rest ran alone');
  t.ok(l.host.spaces.has('uvt-a'), "uvt-a's namespace is still there, and so is its mark");
  t.ok(l.host.readEtc('uvt-a', 'hosts'));
  t.same(recorded(l), ['uvt-a']);
});

t.test('dry-run prints the removal and changes nothing', async (t) => {
  const l = await built();
  const before = l.stateText();
  t.same(await l.dry().removeContainers(['uvt-a', 'uvt-zz']), ['uvt-a']);
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
  t.match(l.script.join(''), /# delete network namespace uvt-a.*\nip netns del uvt-a\n[^]*rm -rf \/etc\/netns\/uvt-a/);
  t.ok(l.host.spaces.has('uvt-a'));
});
