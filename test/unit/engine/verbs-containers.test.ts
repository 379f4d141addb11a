// Engine.createContainers on a fake host: each network mode's commands and records, idempotence, conflicts, refusals, dry-run.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/errors.js';
import { lab, type Lab } from '../../helpers/engine-lab.js';

const NET = { name: 'uvn', subnet: '10.201.0.0/24' };
const NET2 = { name: 'uvm', subnet: '10.202.0.0/24' };

async function withNets(...nets: Array<typeof NET>): Promise<Lab> {
  const l = lab();
  for (const n of nets) await l.engine.createNetwork(n);
  l.reset();
  return l;
}

/** No command or file op ran, and state.json still says `before`. */
function unchanged(t: Test, l: Lab, before: string | undefined) {
  t.same(l.lines(), [], 'nothing ran');
  t.equal(l.stateText(), before, 'state.json unchanged');
}

t.test('network mode, one network: namespace, veth on the bridge, address and route inside, files; recorded', async (t) => {
  const l = await withNets(NET);
  const [rec] = await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  t.match(rec, { name: 'uvt-a', mode: 'network', hostname: 'uvt-a', endpoints: [{ network: 'uvn', ifname: 'eth0', hostVeth: 'nv-uvt-a-0', mac: '02:42:0a:c9:00:02', addresses: [{ ip: '10.201.0.2', prefix: 24, gateway: '10.201.0.1' }] }] });
  t.same(l.lines(), [
    'mkdir /etc/netns/uvt-a',
    'write /etc/netns/uvt-a/resolv.conf',
    'write /etc/netns/uvt-a/hosts',
    'ip -batch - <<netns add uvt-a | link add nv-uvt-a-0 mtu 1500 master nslab-uvn up type veth peer name eth0 mtu 1500 address 02:42:0a:c9:00:02 netns uvt-a | link set nv-uvt-a-0 alias nslab:0a1b2c3d:endpoint:uvt-a:eth0 | link set nv-uvt-a-0 addrgenmode none',
    'ip -n uvt-a -batch - <<link set lo up | netns exec uvt-a sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1 | addr add 10.201.0.2/24 brd 10.201.0.255 dev eth0 | link set eth0 up | route add default via 10.201.0.1 dev eth0',
  ]);
  t.match(l.host.readEtc('uvt-a', 'hosts'), /^# nslab: managed by nslab for container uvt-a .*lab 0a1b2c3d\)\n[^]*\n10\.201\.0\.2\tuvt-a\n$/);
  t.match(l.host.readEtc('uvt-a', 'resolv.conf'), /\nnameserver 10\.201\.0\.1\nnameserver 192\.0\.2\.53\nsearch example\.test nslab\.internal\n$/, 'the gateway (nslabd\'s DNS) first, then the host resolvers, handed on; the host\'s search list plus nslab\'s domain');
  t.equal(JSON.parse(l.stateText()!).containers['uvt-a'].id, rec!.id, 'recorded in state.json');
  t.notOk(existsSync(join(l.stateDir, 'intent.json')), 'no intent left once recorded');
  t.same((await l.engine.check()).drift, [], 'the kernel holds exactly what is recorded');
});

t.test('two networks: eth0 and eth1, the default route through the first only', async (t) => {
  const l = await withNets(NET, NET2);
  const [rec] = await l.engine.createContainers([{ name: 'uvt-a', networks: ['uvn', 'uvm'] }]);
  t.same(rec!.endpoints.map((e) => [e.network, e.ifname, e.hostVeth, e.addresses[0]!.ip]), [['uvn', 'eth0', 'nv-uvt-a-0', '10.201.0.2'], ['uvm', 'eth1', 'nv-uvt-a-1', '10.202.0.2']]);
  const lines = l.lines();
  t.match(lines.find((x) => x.startsWith('ip -batch')), /link add nv-uvt-a-0 mtu 1500 master nslab-uvn up type veth peer name eth0 .* \| link add nv-uvt-a-1 mtu 1500 master nslab-uvm up type veth peer name eth1 mtu 1500 address 02:42:0a:ca:00:02 netns uvt-a/);
  const inside = lines.find((x) => x.startsWith('ip -n uvt-a'))!;
  t.match(inside, /addr add 10\.201\.0\.2\/24 brd 10\.201\.0\.255 dev eth0 .*addr add 10\.202\.0\.2\/24 brd 10\.202\.0\.255 dev eth1/);
  t.equal(inside.match(/route add/g)?.length, 1, 'one default route');
  t.match(inside, /route add default via 10\.201\.0\.1 dev eth0 \|/);
  t.same((await l.engine.check()).drift, []);
});

t.test('--ip: that address, and the MAC derived from it; one outside the subnet or taken is refused before anything runs', async (t) => {
  const l = await withNets(NET);
  const [rec] = await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ip: '10.201.0.50' }]);
  t.same([rec!.endpoints[0]!.addresses[0]!.ip, rec!.endpoints[0]!.mac], ['10.201.0.50', '02:42:0a:c9:00:32']);
  t.match(l.lines().at(-1), /addr add 10\.201\.0\.50\/24 brd 10\.201\.0\.255 dev eth0/);
  l.reset();
  const before = l.stateText();
  await t.rejects(l.engine.createContainers([{ name: 'uvt-b', network: 'uvn', ip: '10.202.0.5' }]), ValidationError);
  await t.rejects(l.engine.createContainers([{ name: 'uvt-b', network: 'uvn', ip: '10.201.0.50' }]), ValidationError, 'taken by uvt-a');
  await t.rejects(l.engine.createContainers([{ name: 'uvt-b', network: 'uvn', ip: '10.201.0.1' }]), ValidationError, 'the gateway');
  unchanged(t, l, before);
  t.notOk(l.host.link('nv-uvt-b-0'), 'no veth made');
});

t.test('host mode: the host namespace named, files written; no veth, no address', async (t) => {
  const l = await withNets(NET);
  const [rec] = await l.engine.createContainers([{ name: 'uvt-h', network: 'host' }]);
  t.match(rec, { mode: 'host', endpoints: [] });
  t.same(l.lines(), ['mkdir /etc/netns/uvt-h', 'write /etc/netns/uvt-h/resolv.conf', 'write /etc/netns/uvt-h/hosts', 'ip netns attach uvt-h ' + process.pid]);
  t.same((await l.engine.check()).drift, []);
});

t.test('none mode: a namespace with only lo, up', async (t) => {
  const l = lab();
  const [rec] = await l.engine.createContainers([{ name: 'uvt-n', network: 'none' }]);
  t.match(rec, { mode: 'none', endpoints: [] });
  t.same(l.lines(), ['mkdir /etc/netns/uvt-n', 'write /etc/netns/uvt-n/resolv.conf', 'write /etc/netns/uvt-n/hosts', 'ip netns add uvt-n', 'ip -n uvt-n link set lo up']);
  t.same(Object.keys(JSON.parse(l.stateText()!).networks), [], 'no default network made for it');
  t.same((await l.engine.check()).drift, []);
});

t.test('container:OTHER: a mount point bound to the other namespace; its files mirror the other one', async (t) => {
  const l = await withNets(NET);
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  l.reset();
  const [rec] = await l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-a' }]);
  t.match(rec, { mode: 'container', shares: 'uvt-a', endpoints: [] });
  t.same(l.lines(), ['mkdir /etc/netns/uvt-s', 'write /etc/netns/uvt-s/resolv.conf', 'write /etc/netns/uvt-s/hosts', 'write /run/netns/uvt-s', 'mount --bind /run/netns/uvt-a /run/netns/uvt-s']);
  t.match(l.host.readEtc('uvt-s', 'hosts'), /\n10\.201\.0\.2\tuvt-a\n$/, "the other's address and name");
  t.equal(l.host.space('uvt-s'), l.host.space('uvt-a'), 'one namespace, two names');
  t.same((await l.engine.check()).drift, []);
});

t.test('sharing: an unknown container, a host-mode one or a later one in the request are refused', async (t) => {
  const l = await withNets(NET);
  await l.engine.createContainers([{ name: 'uvt-h', network: 'host' }]);
  l.reset();
  const before = l.stateText();
  await t.rejects(l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-zz' }]), NotFoundError);
  await t.rejects(l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-h' }]), ValidationError);
  await t.rejects(l.engine.createContainers([{ name: 'uvt-s', network: 'container:uvt-b' }, { name: 'uvt-b', network: 'uvn' }]), { name: 'ValidationError', field: 'network' });
  unchanged(t, l, before);
});

t.test('the same create again changes nothing and answers the same record', async (t) => {
  const l = await withNets(NET);
  const [a] = await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', aliases: ['web'] }]);
  l.reset();
  const before = l.stateText();
  const [again] = await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', aliases: ['web'] }]);
  t.equal(again!.id, a!.id);
  unchanged(t, l, before);
});

t.test('a create with other settings is a conflict, and nothing of the request is made', async (t) => {
  const l = await withNets(NET, NET2);
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  l.reset();
  const before = l.stateText();
  await t.rejects(l.engine.createContainers([{ name: 'uvt-a', network: 'uvm' }]), ConflictError);
  await t.rejects(l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', hostname: 'other' }]), /already exists with other settings \(hostname\)/);
  await t.rejects(l.engine.createContainers([{ name: 'uvt-b', network: 'uvn' }, { name: 'uvt-a', network: 'uvn', ip: '10.201.0.9' }]), ConflictError, 'a new one beside a conflicting one: neither');
  unchanged(t, l, before);
  t.notOk(l.host.spaces.has('uvt-b'));
});

t.test('a recorded container whose veth is gone is not taken for the same one', async (t) => {
  const l = await withNets(NET);
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  l.host.ip('link del nv-uvt-a-0');
  l.reset();
  await t.rejects(l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]), /recorded but its namespace or veth is missing/);
  t.same(l.lines(), []);
});

t.test('bad input is refused with the field named, and nothing runs', async (t) => {
  const l = await withNets(NET);
  const before = l.stateText();
  const bad: Array<[Parameters<typeof l.engine.createContainers>[0][number], string]> = [
    [{ name: 'uvt bad' }, 'name'],
    [{ name: 'uvt-a', network: 'host', ip: '10.201.0.5' }, 'ip'],
    [{ name: 'uvt-a', network: 'uvn', ip: 'nope' }, 'ip'],
    [{ name: 'uvt-a', network: 'uvn', mac: 'zz' }, 'mac'],
    [{ name: 'uvt-a', networks: ['uvn', 'uvn'] }, 'network'],
    [{ name: 'uvt-a', network: 'container:uvt-a' }, 'network'],
  ];
  for (const [input, field] of bad) await t.rejects(async () => l.engine.createContainers([input]), { name: 'ValidationError', field }, JSON.stringify(input));
  await t.rejects(l.engine.createContainers([{ name: 'uvt-a', network: 'nope' }]), NotFoundError, 'an unknown network');
  await t.rejects(l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }, { name: 'uvt-a', network: 'uvn' }]), { name: 'ValidationError', field: 'name' }, 'named twice');
  unchanged(t, l, before);
});

t.test('the default network appears on first use, and not when the request is refused', async (t) => {
  const l = lab();
  await t.rejects(l.engine.createContainers([{ name: 'uvt-a' }, { name: 'uvt-b', ip: '10.99.0.5' }]), ValidationError);
  t.same(l.lines(), [], 'a bad container: the default network is not made either');
  const [rec] = await l.engine.createContainers([{ name: 'uvt-a' }]);
  t.equal(rec!.endpoints[0]!.network, 'bridge');
  t.match(l.lines()[0], /^ip -batch - <<link add nslab0 .* type bridge \| link set nslab0 alias nslab:0a1b2c3d:network:bridge \| addr add 172\.17\.0\.1\/16 brd 172\.17\.255\.255 dev nslab0$/);
  t.match(l.lines().join('\n'), /master nslab0 up type veth peer name eth0/);
});

t.test('dry-run prints the plan, runs nothing and records nothing', async (t) => {
  const l = await withNets(NET);
  const before = l.stateText();
  const [rec] = await l.dry().createContainers([{ name: 'uvt-a', network: 'uvn' }, { name: 'uvt-n', network: 'none' }]);
  t.equal(rec!.endpoints[0]!.hostVeth, 'nv-uvt-a-0', 'the record it would make');
  unchanged(t, l, before);
  const script = l.script.join('');
  t.match(script, /^# create network namespace uvt-a/m);
  t.match(script, /ip -batch - <<'EOF'\nnetns add uvt-a\nnetns add uvt-n\nlink add nv-uvt-a-0 mtu 1500 master nslab-uvn up type veth/);
  t.match(script, /cat > \/etc\/netns\/uvt-a\/hosts <<'EOF'\n# nslab: managed by nslab/);
  t.notOk(l.host.spaces.size, 'no namespace made');
});
