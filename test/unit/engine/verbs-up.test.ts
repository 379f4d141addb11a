// Engine.up on a fake host: a whole lab (networks, then containers in shared batches) under one lock; refused whole or made whole.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/errors.js';
import { lab } from '../../helpers/engine-lab.js';

const NETS = [{ name: 'uvn', subnet: '10.201.0.0/24' }, { name: 'uvm', subnet: '10.202.0.0/24', internal: true }];
const CONTAINERS = [
  { name: 'uvt-a', network: 'uvn' },
  { name: 'uvt-b', networks: ['uvn', 'uvm'] },
  { name: 'uvt-c', network: 'uvm' },
  { name: 'uvt-s', network: 'container:uvt-a' },
];

t.test('up: networks first, then every container in shared batches; records in request order', async (t) => {
  const l = lab({ ipForward: '1' });
  const recs = await l.engine.up(NETS, CONTAINERS);
  t.same(recs.map((r) => r.name), ['uvt-a', 'uvt-b', 'uvt-c', 'uvt-s']);
  t.same(recs.map((r) => r.endpoints.map((e) => `${e.hostVeth}=${e.addresses[0]!.ip}`)), [['nv-uvt-a-0=10.201.0.2'], ['nv-uvt-b-0=10.201.0.3', 'nv-uvt-b-1=10.202.0.2'], ['nv-uvt-c-0=10.202.0.3'], []]);
  const lines = l.lines();
  const bridges = lines.findIndex((x) => /type bridge/.test(x) && /nslab-uvm/.test(x));
  const namespaces = lines.findIndex((x) => /netns add uvt-a/.test(x));
  t.ok(bridges >= 0 && bridges < namespaces, 'both networks exist before the first container is made');
  t.equal(lines[namespaces], 'ip -batch - <<netns add uvt-a | netns add uvt-b | netns add uvt-c', 'one process for every namespace');
  const veths = lines.filter((x) => /link add nv-/.test(x));
  t.equal(veths.length, 1, 'one process for every veth');
  t.equal(veths[0]!.match(/link add nv-/g)!.length, 4);
  t.same(lines.filter((x) => x.startsWith('ip -n ')).map((x) => x.split(' ')[2]).sort(), ['uvt-a', 'uvt-b', 'uvt-c'], 'one process inside each namespace');
  t.ok(lines.includes('mount --bind /run/netns/uvt-a /run/netns/uvt-s'));
  t.match(lines.find((x) => x.startsWith('ip -n uvt-c ')), /dev eth0 \| link set eth0 up$/, 'internal network: no default route');
  t.match(lines.find((x) => x.startsWith('ip -n uvt-b ')), /route add default via 10\.201\.0\.1 dev eth0/);
  t.same((await l.engine.check()).drift, []);
  const st = JSON.parse(l.stateText()!);
  t.same([Object.keys(st.networks).sort(), Object.keys(st.containers).sort()], [['uvm', 'uvn'], ['uvt-a', 'uvt-b', 'uvt-c', 'uvt-s']]);
});

t.test('up again: nothing runs, the same records', async (t) => {
  const l = lab({ ipForward: '1' });
  const first = await l.engine.up(NETS, CONTAINERS);
  l.reset();
  const before = l.stateText();
  const again = await l.engine.up(NETS, CONTAINERS);
  t.same(again.map((r) => r.id), first.map((r) => r.id));
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
});

t.test('one bad part refuses the whole lab before anything is made', async (t) => {
  const l = lab({ ipForward: '1' });
  await t.rejects(l.engine.up(NETS, [...CONTAINERS, { name: 'uvt-x', network: 'nope' }]), NotFoundError);
  await t.rejects(l.engine.up(NETS, [...CONTAINERS, { name: 'uvt-x', network: 'uvm', ip: '10.201.0.9' }]), ValidationError);
  await t.rejects(l.engine.up([...NETS, { name: 'uvo', subnet: '10.201.0.128/25' }], CONTAINERS), { name: 'ValidationError', field: 'subnet' }, 'overlapping networks');
  await t.rejects(async () => l.engine.up(NETS, [{ name: 'uvt a' }]), { name: 'ValidationError', field: 'name' });
  t.same(l.lines(), []);
  t.equal(l.stateText(), undefined, 'no state written');
  await l.engine.up(NETS, CONTAINERS);
  l.reset();
  await t.rejects(l.engine.up([{ ...NETS[0]!, subnet: '10.209.0.0/24' }], []), ConflictError, 'a network with other settings');
  await t.rejects(l.engine.up(NETS, [{ name: 'uvt-a', network: 'uvm' }]), ConflictError, 'a container with other settings');
  t.same(l.lines(), []);
});

t.test('a lab using the default network makes it, once', async (t) => {
  const l = lab({ ipForward: '1' });
  const recs = await l.engine.up([], [{ name: 'uvt-a' }, { name: 'uvt-b' }]);
  t.same(recs.map((r) => r.endpoints[0]!.network), ['bridge', 'bridge']);
  t.equal(l.lines().filter((x) => /link add nslab0 .*type bridge/.test(x)).length, 1);
});

t.test('a failing step undoes the whole lab of containers; the networks stay', async (t) => {
  const l = lab({ ipForward: '1' });
  let intentWhileBuilding: unknown;
  l.host.failIp = (line, ns) => {
    if (ns !== 'uvt-c' || !line.startsWith('addr add')) return undefined;
    intentWhileBuilding = JSON.parse(readFileSync(join(l.stateDir, 'intent.json'), 'utf8')).containers.map((c: { name: string }) => c.name);
    return 'RTNETLINK answers: Permission denied';
  };
  await t.rejects(l.engine.up(NETS, CONTAINERS), /Permission denied/);
  const st = JSON.parse(l.stateText()!);
  t.same([Object.keys(st.networks).sort(), Object.keys(st.containers)], [['uvm', 'uvn'], []]);
  t.same([...l.host.spaces.keys()], [], 'every namespace made was deleted again');
  t.same(l.host.host.links.map((x) => x.ifname).filter((n) => n.startsWith('nv-')), []);
  t.same(intentWhileBuilding, ['uvt-a', 'uvt-b', 'uvt-c', 'uvt-s'], 'while the kernel was changed, the intent named every new container');
  t.notOk(existsSync(join(l.stateDir, 'intent.json')), 'the intent is cleared once the undo is done');
  t.same((await l.engine.check()).drift, []);
});

t.test('dry-run up prints the whole lab, runs nothing, records nothing', async (t) => {
  const l = lab({ ipForward: '1' });
  const recs = await l.dry().up(NETS, CONTAINERS);
  t.same(recs.map((r) => r.name), ['uvt-a', 'uvt-b', 'uvt-c', 'uvt-s']);
  t.same(l.lines(), []);
  t.equal(l.stateText(), undefined);
  const script = l.script.join('');
  t.match(script, /link add nslab-uvn [^]*link add nslab-uvm [^]*netns add uvt-a[^]*mount --bind \/run\/netns\/uvt-a \/run\/netns\/uvt-s/);
  t.same(l.host.host.links.map((x) => x.ifname), ['lo']);
});
