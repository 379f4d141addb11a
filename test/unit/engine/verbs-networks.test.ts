// Engine.createNetwork and Engine.removeNetworks on a fake host: the kernel commands, idempotence, conflicts, force, dry-run.
import t from 'tap';
import { ConflictError, ValidationError } from '../../../src/errors.js';
import { lab } from '../../helpers/engine-lab.js';

const NET = { name: 'uvn', subnet: '10.201.0.0/24' };

t.test('create: the bridge with its mark, IPv6 off, the gateway, forwarding, the rules; recorded', async (t) => {
  const l = lab();
  const rec = await l.engine.createNetwork(NET);
  t.match(rec, { name: 'uvn', driver: 'bridge', bridge: 'nslab-uvn', mtu: 1500, masquerade: true, icc: true, internal: false, firewall: 'iptables', subnets: [{ subnet: '10.201.0.0/24', gateway: '10.201.0.1' }] });
  t.same(l.lines(), [
    'ip -batch - <<link add nslab-uvn address 02:42:0a:c9:00:01 mtu 1500 up type bridge | link set nslab-uvn alias nslab:0a1b2c3d:network:uvn | addr add 10.201.0.1/24 brd 10.201.0.255 dev nslab-uvn',
    'sysctl -w net/ipv6/conf/nslab-uvn/disable_ipv6=1',
    'sysctl -w net.ipv4.ip_forward=1',
    'fakefw add source-check uvn nslab-uvn 10.201.0.0/24',
    'fakefw add traffic uvn masquerade icc external',
  ]);
  t.equal(JSON.parse(l.stateText()!).networks.uvn.id, rec.id);
  l.reset();
  t.equal((await l.engine.createNetwork(NET)).id, rec.id, 'again: the same network');
  t.same(l.lines(), [], 'and nothing runs');
  t.same((await l.engine.check()).drift, []);
});

t.test('no subnet: the first free default pool is picked, avoiding the host\'s addresses, and the user told', async (t) => {
  const l = lab({ ipForward: '1' });
  const first = await l.engine.createNetwork({ name: 'uvn' });
  l.host.ip('link add uplink type dummy');
  l.host.ip('addr add 172.18.0.5/16 dev uplink');
  const second = await l.engine.createNetwork({ name: 'uvm' });
  const [a, b] = [first.subnets[0]!.subnet, second.subnets[0]!.subnet];
  t.not(a, b);
  t.not(b, '172.18.0.0/16', 'not over the host address');
  t.match(l.notices, [new RegExp(`picked subnet ${a.replace(/\./g, '\\.')} for network uvn`), /picked subnet .* for network uvm/]);
});

t.test('ICC off loads br_netfilter and turns on bridge-nf-call-iptables, once; an MTU below 1280 has no IPv6 to turn off', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork({ ...NET, icc: false, mtu: 1200 });
  t.same(l.lines().slice(0, 3), [
    'ip -batch - <<link add nslab-uvn address 02:42:0a:c9:00:01 mtu 1200 up type bridge | link set nslab-uvn alias nslab:0a1b2c3d:network:uvn | addr add 10.201.0.1/24 brd 10.201.0.255 dev nslab-uvn',
    'modprobe br_netfilter', 'sysctl -w net.bridge.bridge-nf-call-iptables=1',
  ], 'no disable_ipv6 sysctl for the bridge: one batch');
  t.match(l.notices, [/ICC off, so bridged traffic now passes through iptables/]);
  l.reset();
  await l.engine.createNetwork({ name: 'uvm', subnet: '10.202.0.0/24', icc: false });
  t.notOk(l.lines().some((x) => /br_netfilter|bridge-nf/.test(x)), 'already on: not again');
});

t.test('other settings, a foreign link with the bridge name, overlaps and bad values are refused; nothing runs', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork(NET);
  l.host.ip('link add nslab-uvx type dummy');
  l.reset();
  const before = l.stateText();
  await t.rejects(l.engine.createNetwork({ ...NET, subnet: '10.202.0.0/24' }), ConflictError);
  await t.rejects(l.engine.createNetwork({ ...NET, icc: false }), /other settings \(icc\)/);
  await t.rejects(l.engine.createNetwork({ name: 'uvx', subnet: '10.203.0.0/24' }), { name: 'ConflictError', message: /nslab-uvx/ });
  await t.rejects(l.engine.createNetwork({ name: 'uvm', subnet: '10.201.0.128/25' }), { name: 'ValidationError', field: 'subnet' });
  await t.rejects(l.engine.createNetwork({ name: 'uvm', subnet: '10.202.0.0/24', bridge: 'nslab-uvn' }), { name: 'ValidationError', field: 'bridge' });
  for (const [input, field] of [
    [{ name: 'uvm', driver: 'macvlan' }, 'driver'], [{ name: 'uvm', gateway: '10.0.0.1' }, 'gateway'], [{ name: 'uvm', subnet: '10.0.0.0/33' }, 'subnet'],
    [{ name: 'uvm', mtu: 10 }, 'mtu'], [{ name: 'uvm', firewall: 'pf' }, 'firewall-backend'],
  ] as const) await t.rejects(async () => l.engine.createNetwork(input), { name: 'ValidationError', field }, JSON.stringify(input));
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
});

t.test('a bridge with the previous release\'s mark is adopted: marked again, nothing else', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork(NET);
  l.host.ip('link set nslab-uvn alias nslab:network:uvn');
  l.reset();
  const r = await l.engine.check();
  t.match(r.drift, [{ kind: 'link', what: /nslab-uvn .*previous release/ }]);
  await l.engine.createNetwork(NET);
  t.same(l.lines(), ['ip link set nslab-uvn alias nslab:0a1b2c3d:network:uvn']);
});

t.test('remove: the rules, then the bridge; absent names are success', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork(NET);
  l.reset();
  t.same(await l.engine.removeNetworks(['uvn', 'uvt-zz']), ['uvn']);
  t.same(l.lines(), ['fakefw del network uvn', 'ip link del nslab-uvn']);
  t.same(JSON.parse(l.stateText()!).networks, {});
  t.notOk(l.host.link('nslab-uvn'));
  l.reset();
  t.same(await l.engine.removeNetworks(['uvn']), []);
  t.same(l.lines(), []);
});

t.test('remove with containers attached: refused; with force they are disconnected first', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork(NET);
  await l.engine.createNetwork({ name: 'uvm', subnet: '10.202.0.0/24' });
  await l.engine.createContainers([{ name: 'uvt-a', networks: ['uvm', 'uvn'] }]);
  l.reset();
  await t.rejects(l.engine.removeNetworks(['uvn']), { name: 'ConflictError', message: /uvt-a/ });
  t.same(l.lines(), []);
  t.same(await l.engine.removeNetworks(['uvn'], true), ['uvn']);
  t.same(l.lines(), ['ip link del nv-uvt-a-1', 'fakefw del network uvn', 'ip link del nslab-uvn']);
  t.match(l.notices, [/--force: disconnected uvt-a from network uvn/]);
  t.same(JSON.parse(l.stateText()!).containers['uvt-a'].endpoints.map((e: { network: string }) => e.network), ['uvm']);
  t.same((await l.engine.check()).drift, []);
});

t.test('a bridge with a port nslab did not record is not removed', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork(NET);
  l.host.ip('link add uvt-port type dummy');
  l.host.ip('link set uvt-port master nslab-uvn');
  l.reset();
  await t.rejects(l.engine.removeNetworks(['uvn']), { name: 'ConflictError', message: /still has ports \(uvt-port\)/ });
  t.same(l.lines(), []);
  t.ok(JSON.parse(l.stateText()!).networks.uvn);
});

t.test('dry-run create and remove print their commands and change nothing', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.dry().createNetwork(NET);
  t.same(l.lines(), []);
  t.equal(l.stateText(), undefined);
  t.match(l.script.join(''), /ip -batch - <<'EOF'\nlink add nslab-uvn address 02:42:0a:c9:00:01 mtu 1500 up type bridge\nlink set nslab-uvn alias nslab:0a1b2c3d:network:uvn\naddr add 10\.201\.0\.1\/24 brd 10\.201\.0\.255 dev nslab-uvn\nEOF/);
  await l.engine.createNetwork(NET);
  l.reset();
  const before = l.stateText();
  t.same(await l.dry().removeNetworks(['uvn']), ['uvn']);
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
  t.match(l.script.join(''), /fakefw del network uvn\n[^]*ip link del nslab-uvn\n/);
});
