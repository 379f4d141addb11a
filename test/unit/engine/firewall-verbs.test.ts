// The engine's network verbs planned against a recording firewall: what it asks a backend, and when.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import t from 'tap';
import { Engine } from '../../../src/engine/engine.js';
import { ConflictError } from '../../../src/errors.js';
import { NoFirewall } from '../../../src/firewall/none/backend.js';
import { BRIDGE_NF_IPTABLES, readSysctl } from '../../../src/kernel/sysctl.js';
import { FakeFirewall } from '../../helpers/fake-firewall.js';
import { FakeRunner } from '../../helpers/fake-runner.js';
import { scratchDir } from '../../helpers/host-files.js';
import { ipv4Subnet } from '../../../src/state/families.js';

function lab(o: { dryRun?: boolean; firewallBackend?: 'iptables' | 'none' } = {}, answers: ConstructorParameters<typeof FakeRunner>[0] = {}) {
  const runner = new FakeRunner(answers);
  // Inside the test process's scratch directory, removed when it exits (it used to stay in /tmp).
  const stateDir = mkdtempSync(join(scratchDir(), 'fw-'));
  writeFileSync(join(stateDir, 'lab-id'), '0a1b2c3d\n');
  const iptables = new FakeFirewall('iptables');
  const none = new NoFirewall();
  const script: string[] = [];
  const engine = new Engine({
    runner, stateDir, log: pino({ level: 'silent' }), firewalls: { iptables, none },
    notice: () => {}, emit: (s) => script.push(s), ...o,
  });
  const fw = () => runner.lines().filter((l) => l.startsWith('fakefw'));
  return { runner, iptables, none, engine, fw, script };
}

const net = { name: 'lab', subnet: '10.201.0.0/24' };

t.test('create: the network is recorded with its backend, and the backend ensures its rules', async (t) => {
  const l = lab();
  const rec = await l.engine.createNetwork(net);
  t.equal(rec.firewall, 'iptables', 'the default backend, recorded');
  t.same(l.fw(), ['fakefw add source-check lab br-lab-0 10.201.0.0/24', 'fakefw add traffic lab masquerade icc external'].map((x) => x.replace('br-lab-0', rec.bridge)));
  l.iptables.networks.set('lab', { name: 'lab', iface: rec.bridge, subnet: ipv4Subnet(rec).subnet, masquerade: true, icc: true, internal: false });
  l.runner.ran.length = 0;
  await l.engine.createNetwork(net);
  t.same(l.fw(), [], 'again: the rules exist, nothing to add');
});

t.test('a backend named by the request; another backend for an existing network is a conflict', async (t) => {
  const l = lab();
  const rec = await l.engine.createNetwork({ ...net, firewall: 'none' });
  t.equal(rec.firewall, 'none');
  t.same(l.iptables.calls, [], 'iptables is never asked (a host managed by hand may not even have it)');
  t.same(l.fw(), [], 'none: no command');
  await t.rejects(l.engine.createNetwork({ ...net, firewall: 'iptables' }), ConflictError, 'created with none, asked with iptables');
  await t.rejects(l.engine.createNetwork(net), /firewall backend none, not iptables/, 'no backend named: the default, which differs');
  t.equal((await l.engine.createNetwork({ ...net, firewall: 'none' })).id, rec.id, 'the same backend: the same network');
});

t.test('the engine default comes from nslabd or --firewall-backend', async (t) => {
  const l = lab({ firewallBackend: 'none' });
  t.equal((await l.engine.createNetwork(net)).firewall, 'none');
  t.same(l.fw(), []);
});

t.test('remove: the backend removes the network, then what the networks shared', async (t) => {
  const l = lab();
  const rec = await l.engine.createNetwork(net);
  l.iptables.networks.set('lab', { name: 'lab', iface: rec.bridge, subnet: ipv4Subnet(rec).subnet, masquerade: true, icc: true, internal: false });
  l.iptables.calls.length = 0;
  l.runner.ran.length = 0;
  t.same(await l.engine.removeNetworks(['lab']), ['lab']);
  t.same(l.iptables.calls.filter((c) => c !== 'observe'), ['removeNetwork lab', 'removeShared'], 'the last network: the shared parts are offered for removal');
  t.same(l.fw(), ['fakefw del network lab']);
});

t.test('check names what the backend says is missing, and repair ensures it', async (t) => {
  const l = lab();
  const rec = await l.engine.createNetwork(net);
  l.iptables.networks.set('lab', { name: 'lab', iface: rec.bridge, subnet: ipv4Subnet(rec).subnet, masquerade: true, icc: true, internal: false });
  l.iptables.missingParts.set('lab', ['source-check']);
  const r = await l.engine.check(false);
  t.same(r.drift.filter((d) => d.kind === 'rule'), [{ kind: 'rule', owner: 'network lab', what: 'source-check of lab is missing' }]);
  t.same(r.notes, []);
  l.runner.ran.length = 0;
  await l.engine.check(true);
  t.same(l.fw(), ['fakefw add source-check lab ' + rec.bridge + ' 10.201.0.0/24'], 'the repair adds exactly the missing part');
});

t.test('check on a network whose firewall is not managed: nothing missing, and a note says so', async (t) => {
  const l = lab();
  await l.engine.createNetwork({ ...net, firewall: 'none' });
  const r = await l.engine.check(false);
  t.same(r.drift.filter((d) => d.kind === 'rule' || d.kind === 'sysctl' && /bridge-nf/.test(d.what)), []);
  t.match(r.notes, [/network lab: the firewall is not managed by nslab \(backend none\)/]);
});

t.test('gc removes the rules of networks no record explains, in each backend in use', async (t) => {
  const l = lab();
  l.iptables.networks.set('gone', { name: 'gone', iface: 'br-gone', subnet: '10.202.0.0/24', masquerade: true, icc: true, internal: false });
  const r = await l.engine.gc();
  t.same(r.removed, ['rules of gone']);
  t.same(l.fw(), ['fakefw del network gone']);
});

t.test('dry-run prints the backend commands and runs nothing', async (t) => {
  const l = lab({ dryRun: true });
  await l.engine.createNetwork(net);
  t.same(l.runner.ran, []);
  t.match(l.script.join(''), /fakefw add source-check lab/);
  t.match(l.script.join(''), /# drop packets from \S+ whose source is not in 10\.201\.0\.0\/24: containers cannot spoof/);
});

t.test('ICC off asks for br_netfilter only where the backend needs it', async (t) => {
  const managed = lab({ dryRun: true });
  await managed.engine.createNetwork({ ...net, icc: false });
  const off = lab({ dryRun: true });
  await off.engine.createNetwork({ ...net, icc: false, firewall: 'none' });
  // The host's own sysctl (read, never written here) decides whether the step is needed at all.
  const hostOn = (await readSysctl(BRIDGE_NF_IPTABLES)) === '1';
  t.equal(off.script.join('').includes('bridge-nf-call-iptables'), false, 'none: no rule to enforce, so no sysctl');
  t.equal(managed.script.join('').includes('bridge-nf-call-iptables'), !hostOn, 'managed: planned unless the host has it on');
});

t.test('rebuild-state reads a network\'s settings and backend from the backend holding its rules', async (t) => {
  const links = [
    { ifname: 'br-a', ifindex: 5, mtu: 1500, flags: ['UP'], ifalias: 'nslab:0a1b2c3d:network:a', linkinfo: { info_kind: 'bridge' } },
    { ifname: 'br-b', ifindex: 6, mtu: 1500, flags: ['UP'], ifalias: 'nslab:0a1b2c3d:network:b', linkinfo: { info_kind: 'bridge' } },
  ];
  const addrs = [
    { ifname: 'br-a', addr_info: [{ family: 'inet', local: '10.201.0.1', prefixlen: 24 }] },
    { ifname: 'br-b', addr_info: [{ family: 'inet', local: '10.202.0.1', prefixlen: 24 }] },
  ];
  const l = lab({ dryRun: true }, { 'ip -json -d link show': { stdout: JSON.stringify(links) }, 'ip -json addr show': { stdout: JSON.stringify(addrs) } });
  l.iptables.networks.set('a', { name: 'a', iface: 'br-a', subnet: '10.201.0.0/24', masquerade: false, icc: false, internal: true });
  const st = await l.engine.rebuildState();
  t.same([st.networks.a!.firewall, st.networks.a!.masquerade, st.networks.a!.icc, st.networks.a!.internal], ['iptables', false, false, true], 'a: read from its rules');
  t.same([st.networks.b!.firewall, st.networks.b!.masquerade, st.networks.b!.icc, st.networks.b!.internal], ['iptables', false, true, false], 'b: no rules anywhere: the default backend, whose check will name them');
});
