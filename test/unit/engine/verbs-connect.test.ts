// Engine.connect and Engine.disconnect on a fake host: the next ethN, idempotence, conflicts, hosts files, dry-run.
import t from 'tap';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/errors.js';
import { lab } from '../../helpers/engine-lab.js';

const NET = { name: 'uvn', subnet: '10.201.0.0/24' };
const NET2 = { name: 'uvm', subnet: '10.202.0.0/24' };
const NET3 = { name: 'uvo', subnet: '10.203.0.0/24' };

async function built() {
  const l = lab();
  for (const n of [NET, NET2, NET3]) await l.engine.createNetwork(n);
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  l.reset();
  return l;
}

const endpointsOf = (l: ReturnType<typeof lab>, c: string) =>
  (JSON.parse(l.stateText()!).containers[c].endpoints as Array<{ network: string; ifname: string }>).map((e) => `${e.network}:${e.ifname}`);

t.test('connect: the next ethN, a veth born inside, its address; no second default route; recorded', async (t) => {
  const l = await built();
  const e = await l.engine.connect('uvm', 'uvt-a', { aliases: ['db'] });
  t.match(e, { network: 'uvm', ifname: 'eth1', hostVeth: 'nv-uvt-a-1', mac: '02:42:0a:ca:00:02', aliases: ['db'], addresses: [{ ip: '10.202.0.2', prefix: 24, gateway: '10.202.0.1' }] });
  t.same(l.lines(), [
    'ip -batch - <<link add nv-uvt-a-1 mtu 1500 master nslab-uvm up type veth peer name eth1 mtu 1500 address 02:42:0a:ca:00:02 netns uvt-a | link set nv-uvt-a-1 alias nslab:0a1b2c3d:endpoint:uvt-a:eth1 | link set nv-uvt-a-1 addrgenmode none',
    'ip -n uvt-a -batch - <<netns exec uvt-a sysctl -qw net.ipv6.conf.eth1.disable_ipv6=1 | addr add 10.202.0.2/24 brd 10.202.0.255 dev eth1 | link set eth1 up',
  ], 'the hosts file names the first endpoint only: not rewritten');
  t.same(endpointsOf(l, 'uvt-a'), ['uvn:eth0', 'uvm:eth1']);
  t.same((await l.engine.check()).drift, []);
});

t.test('connect again: the same endpoint, nothing runs; with another --ip: a conflict', async (t) => {
  const l = await built();
  const first = await l.engine.connect('uvm', 'uvt-a', { ip: '10.202.0.20' });
  l.reset();
  const before = l.stateText();
  t.same(await l.engine.connect('uvm', 'uvt-a'), first, 'no --ip: the one it has');
  t.same(await l.engine.connect('uvm', 'uvt-a', { ip: '10.202.0.20' }), first, 'the same --ip');
  await t.rejects(l.engine.connect('uvm', 'uvt-a', { ip: '10.202.0.21' }), ConflictError);
  await t.rejects(l.engine.connect('uvm', 'uvt-a', { ip: '10.202.0.21' }), /already connected to uvm with 10\.202\.0\.20, not 10\.202\.0\.21/);
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
});

t.test('--ip taken or outside the subnet, unknown names, a host-mode container: refused, nothing runs', async (t) => {
  const l = await built();
  await l.engine.createContainers([{ name: 'uvt-h', network: 'host' }]);
  l.reset();
  const before = l.stateText();
  await t.rejects(l.engine.connect('uvn', 'uvt-h'), /network mode host/);
  await t.rejects(l.engine.connect('uvm', 'uvt-a', { ip: '10.201.0.9' }), ValidationError);
  await t.rejects(l.engine.connect('uvm', 'uvt-a', { ip: '10.202.0.1' }), ValidationError, 'the gateway');
  await t.rejects(l.engine.connect('nope', 'uvt-a'), NotFoundError);
  await t.rejects(l.engine.connect('uvm', 'uvt-zz'), NotFoundError);
  await t.rejects(async () => l.engine.connect('uvm', 'uvt a'), { name: 'ValidationError', field: 'container' });
  await t.rejects(async () => l.engine.connect('uvm', 'uvt-a', { ip: 'x' }), { name: 'ValidationError', field: 'ip' });
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
});

t.test('a none-mode container connected gets eth0, the default route, and its name in hosts', async (t) => {
  const l = await built();
  await l.engine.createContainers([{ name: 'uvt-n', network: 'none' }]);
  l.reset();
  const e = await l.engine.connect('uvn', 'uvt-n');
  t.match(e, { ifname: 'eth0', hostVeth: 'nv-uvt-n-0', addresses: [{ ip: '10.201.0.3' }] });
  t.same(l.lines().filter((x) => x.startsWith('write')), ['write /etc/netns/uvt-a/hosts', 'write /etc/netns/uvt-n/hosts'], "its first address: its hosts file changes, and uvt-a's learns its name");
  t.match(l.host.readEtc('uvt-a', 'hosts'), /\n# containers on its networks [^\n]*\n10\.201\.0\.3\tuvt-n\n$/);
  t.match(l.lines().at(-1), /^ip -n uvt-n -batch - <<.*addr add 10\.201\.0\.3\/24 brd 10\.201\.0\.255 dev eth0 \| link set eth0 up \| route add default via 10\.201\.0\.1 dev eth0$/);
  t.match(l.host.readEtc('uvt-n', 'hosts'), /\n# this container\n10\.201\.0\.3\tuvt-n\n# containers on its networks [^\n]*\n10\.201\.0\.2\tuvt-a\n$/);
  t.same((await l.engine.check()).drift, []);
});

t.test('disconnect: exactly that veth; not connected is success (false) and runs nothing', async (t) => {
  const l = await built();
  await l.engine.connect('uvm', 'uvt-a');
  l.reset();
  t.equal(await l.engine.disconnect('uvm', 'uvt-a'), true);
  t.same(l.lines(), ['ip link del nv-uvt-a-1']);
  t.same(endpointsOf(l, 'uvt-a'), ['uvn:eth0']);
  t.notOk(l.host.link('eth1', 'uvt-a'), 'the peer went with it');
  l.reset();
  t.equal(await l.engine.disconnect('uvm', 'uvt-a'), false);
  t.same(l.lines(), []);
  await t.rejects(l.engine.disconnect('nope', 'uvt-a'), NotFoundError);
  await t.rejects(l.engine.disconnect('uvm', 'uvt-zz'), NotFoundError);
  t.same((await l.engine.check()).drift, []);
});

t.test('disconnecting the first network rewrites the hosts files of the container and of its sharers', async (t) => {
  const l = await built();
  await l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-a' }]);
  l.reset();
  t.equal(await l.engine.disconnect('uvn', 'uvt-a'), true);
  t.same(l.lines(), ['write /etc/netns/uvt-a/hosts', 'write /etc/netns/uvt-s/hosts', 'ip link del nv-uvt-a-0']);
  t.notMatch(l.host.readEtc('uvt-s', 'hosts'), /10\.201\.0\.2/);
});

t.test('the lowest free ethN is reused after a disconnect', async (t) => {
  const l = await built();
  await l.engine.connect('uvm', 'uvt-a');
  await l.engine.connect('uvo', 'uvt-a');
  await l.engine.disconnect('uvm', 'uvt-a');
  l.reset();
  const e = await l.engine.connect('uvm', 'uvt-a');
  t.same([e.ifname, e.hostVeth], ['eth1', 'nv-uvt-a-1']);
  t.same(endpointsOf(l, 'uvt-a'), ['uvn:eth0', 'uvo:eth2', 'uvm:eth1']);
  t.same((await l.engine.check()).drift, []);
});

t.test('a failing connect is undone and unrecorded', async (t) => {
  const l = await built();
  const before = l.stateText();
  l.host.failIp = (line, ns) => (ns === 'uvt-a' && line.startsWith('addr add') ? 'RTNETLINK answers: Permission denied' : undefined);
  await t.rejects(l.engine.connect('uvm', 'uvt-a'), /Permission denied/);
  t.equal(l.lines().at(-1), 'ip link del nv-uvt-a-1', 'the veth made is deleted again');
  t.equal(l.stateText(), before);
  t.notOk(l.host.link('nv-uvt-a-1'));
});

t.test('dry-run connect and disconnect print their commands and change nothing', async (t) => {
  const l = await built();
  const before = l.stateText();
  const dry = l.dry();
  t.match(await dry.connect('uvm', 'uvt-a'), { ifname: 'eth1', hostVeth: 'nv-uvt-a-1' });
  t.equal(await dry.disconnect('uvn', 'uvt-a'), true);
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
  const script = l.script.join('');
  t.match(script, /link add nv-uvt-a-1 mtu 1500 master nslab-uvm up type veth peer name eth1/);
  t.match(script, /\nip link del nv-uvt-a-0\n/);
  t.ok(l.host.link('nv-uvt-a-0'));
});
