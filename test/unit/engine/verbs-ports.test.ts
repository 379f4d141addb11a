// Published ports through the engine's verbs on a fake host and firewall: what runs, what is
// recorded, conflicts refused before anything runs, removal, the first endpoint, check and gc.
import t from 'tap';
import { ConflictError, ValidationError } from '../../../src/errors.js';
import { lab, type Lab } from '../../helpers/engine-lab.js';

const NET = { name: 'uvn', subnet: '10.201.0.0/24' };
const NET2 = { name: 'uvm', subnet: '10.202.0.0/24' };

async function withNets(): Promise<Lab> {
  const l = lab();
  await l.engine.createNetwork(NET);
  await l.engine.createNetwork(NET2);
  l.reset();
  l.iptables.calls.length = 0;
  return l;
}

t.test('create: the ports recorded as single mappings; rules, hairpin and route_localnet after the veth; a second publisher does not read the ruleset', async (t) => {
  const l = await withNets();
  const [rec] = await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080-8081:80-81', '127.0.0.1:53:53/udp'] }]);
  t.same(rec!.ports, [
    { protocol: 'tcp', hostPort: 8080, containerPort: 80 },
    { protocol: 'tcp', hostPort: 8081, containerPort: 81 },
    { protocol: 'udp', hostIp: '127.0.0.1', hostPort: 53, containerPort: 53 },
  ]);
  const lines = l.lines();
  const at = (re: RegExp) => lines.findIndex((x) => re.test(x));
  t.ok(at(/^fakefw add ports uvt-a uvn 0\.0\.0\.0:8080->10\.201\.0\.2:80\/tcp 0\.0\.0\.0:8081->10\.201\.0\.2:81\/tcp 127\.0\.0\.1:53->10\.201\.0\.2:53\/udp$/) > at(/link add nv-uvt-a-0/), 'the rules, after the veth');
  t.match(lines.join('\n'), /link set nv-uvt-a-0 type bridge_slave hairpin on/);
  t.match(lines.join('\n'), /sysctl -w net\.ipv4\.conf\.nslab-uvn\.route_localnet=1/);
  t.notMatch(lines.join('\n'), /route_localnet=1.*(all|default)\./);
  t.notMatch(lines.join('\n'), /conntrack -D/, 'no conntrack tool (the fake host has none): no step for it');
  t.match(l.notices.join('\n'), /conntrack is not usable/, 'and one warning line');
  t.ok(l.iptables.calls.includes('observe'), 'the first publisher reads the ruleset');
  t.same(JSON.parse(l.stateText()!).containers['uvt-a'].ports, [
    { protocol: 'tcp', hostPort: 8080, containerPort: 80, count: 2 },
    { protocol: 'udp', hostIp: '127.0.0.1', hostPort: 53, containerPort: 53 },
  ], 'state.json: the range as one run');
  t.same((await l.engine.readState()).containers['uvt-a']!.ports, rec!.ports, 'read back: single mappings');
  t.same((await l.engine.check()).drift, [], 'check: all in place');
  l.iptables.calls.length = 0;
  l.reset();
  await l.engine.createContainers([{ name: 'uvt-b', network: 'uvn', ports: ['9090:90'] }]);
  t.notOk(l.iptables.calls.includes('observe'), 'a second publisher plans against portsView, without reading the ruleset');
  t.ok(l.iptables.calls.includes('portsView'));
  t.notMatch(l.lines().join('\n'), /conntrack/, 'tcp only: no conntrack');
});

t.test('UDP ports: a step forgets stale flows to them after the rules, shown in --dry-run; nothing to forget is success', async (t) => {
  for (const dryRun of [true, false]) {
    const l = lab({ conntrack: true });
    await l.engine.createNetwork(NET);
    l.reset();
    await (dryRun ? l.dry() : l.engine).createContainers([{ name: 'uvt-u', network: 'uvn', ports: ['5353:53/udp', '5354:54/udp', '8080:80'] }]);
    const text = dryRun ? l.script.join('\n') : l.lines().join('\n');
    t.match(text, /fakefw add ports uvt-u[^]*conntrack -D -p udp --orig-port-dst 5353\n(.*\n)?.*conntrack -D -p udp --orig-port-dst 5354/, `${dryRun ? 'dry-run' : 'run'}: each UDP host port, after the rules`);
    t.notMatch(text, /--orig-port-dst 8080/, 'tcp: none');
    t.same(l.notices.filter((n) => /conntrack/.test(n)), [], 'no warning');
    if (!dryRun) t.ok(JSON.parse(l.stateText()!).containers['uvt-u'], '"0 flow entries have been deleted" (exit 1) did not fail the create');
  }
});

t.test('several publishers in one request: the shared parts planned once (a second chain declaration would flush the first\'s rules)', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080:80'] }, { name: 'uvt-b', network: 'uvn', ports: ['8081:80'] }]);
  t.equal(l.iptables.calls.filter((c) => c === 'observe').length, 1, 'the first against the host, the next as if the first were in place (portsView)');
  t.equal(l.lines().filter((x) => /route_localnet=1/.test(x)).length, 1, 'route_localnet set once for the bridge');
  t.same([...l.iptables.ports.keys()].sort(), ['uvt-a', 'uvt-b']);
});

t.test('conflicts and bad ports: exit 2 before anything runs or is recorded', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080:80'] }]);
  l.reset();
  const before = l.stateText();
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-b', network: 'uvm', ports: ['127.0.0.1:8080:80'] }]), ConflictError, 'against the record, other network too');
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-b', network: 'uvm', ports: ['9000:1'] }, { name: 'uvt-c', network: 'uvm', ports: ['9000:2'] }]), ConflictError, 'two in one request');
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-b', network: 'uvm', ports: ['9000-9001:1'] }]), ValidationError);
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-b', network: 'host', ports: ['9000:1'] }]), ValidationError);
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8081:80'] }]), { message: /other settings \(publish\)/ }, 'a repeated create with other ports');
  t.same(await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080:80'] }]).then((r) => r.map((c) => c.name)), ['uvt-a'], 'the same ports: idempotent');
  t.same(l.lines(), [], 'nothing ran');
  t.equal(l.stateText(), before, 'nothing recorded');
});

t.test('rm removes exactly the container\'s port rules; a container without ports does not read the ruleset', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080:80'] }, { name: 'uvt-b', network: 'uvn', ports: ['8081:80'] }, { name: 'uvt-c', network: 'uvn' }]);
  l.reset();
  l.iptables.calls.length = 0;
  await l.engine.removeContainers(['uvt-c']);
  t.notOk(l.iptables.calls.includes('observe'), 'no ports: no read');
  await l.engine.removeContainers(['uvt-a']);
  t.ok(l.lines().indexOf('fakefw del ports uvt-a') >= 0 && l.lines().indexOf('fakefw del ports uvt-a') < l.lines().indexOf('ip netns del uvt-a'), 'its rules, first');
  t.same([...l.iptables.ports.keys()], ['uvt-b'], "the other container's rules stay");
  t.same((await l.engine.check()).drift, []);
});

t.test('the rules follow the first endpoint; none without an endpoint, the record keeps the ports', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'none', ports: ['8080:80'] }]);
  t.same([...l.iptables.ports.keys()], [], 'no endpoint: no rules');
  await l.engine.connect('uvm', 'uvt-a');
  t.match(l.iptables.ports.get('uvt-a'), { network: 'uvm', ip: '10.202.0.2' });
  await l.engine.connect('uvn', 'uvt-a');
  t.match(l.iptables.ports.get('uvt-a'), { network: 'uvm' }, 'a second endpoint does not move them');
  await l.engine.disconnect('uvm', 'uvt-a');
  t.match(l.iptables.ports.get('uvt-a'), { network: 'uvn', ip: '10.201.0.2' }, 'moved to the next endpoint');
  t.same(l.host.space('uvt-a').routes.filter((r) => r.dst === 'default'), [{ dst: 'default', gateway: '10.201.0.1', dev: 'eth1' }], 'and so did the default route (replies to the world go back that way)');
  t.same((await l.engine.check()).drift, [], 'check agrees: the first endpoint holds the default route');
  await l.engine.disconnect('uvn', 'uvt-a');
  t.notOk(l.iptables.ports.has('uvt-a'), 'no endpoint left: none');
  t.equal((await l.engine.readState()).containers['uvt-a']!.ports.length, 1, 'the record keeps them');
  t.same((await l.engine.check()).drift, []);
});

t.test('check finds missing rules, hairpin and route_localnet; repair puts them back; gc removes rules no record explains', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080:80'] }]);
  l.iptables.ports.delete('uvt-a');
  const port = l.host.link('nv-uvt-a-0')!;
  port.linkinfo = { ...port.linkinfo, info_slave_data: { hairpin: false } };
  l.host.setSysctl('net.ipv4.conf.nslab-uvn.route_localnet', '0');
  const { drift } = await l.engine.check();
  t.match(drift.map((d) => d.what).join('\n'), /port rules of uvt-a are missing[^]*hairpin mode is off on nv-uvt-a-0[^]*route_localnet is not 1/);
  t.ok(drift.every((d) => d.owner === 'container uvt-a'));
  await l.engine.check(true);
  t.same((await l.engine.check()).drift, [], 'repaired');
  l.iptables.ports.set('uvt-ghost', { network: 'uvn', container: 'uvt-ghost', ip: '10.201.0.9', ports: [{ protocol: 'tcp', hostPort: 1, containerPort: 1 }] });
  t.match((await l.engine.check()).drift.map((d) => d.what).join('\n'), /port rules of uvt-ghost carries this lab's mark but no record explains it/);
  const gc = await l.engine.gc();
  t.same(gc.removed, ['port rules of uvt-ghost']);
  t.same([...l.iptables.ports.keys()], ['uvt-a']);
});

t.test('rebuild-state reads the ports back from the rules', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080:80', '127.0.0.1:53:53/udp'] }]);
  const want = (await l.engine.readState()).containers['uvt-a']!.ports;
  const rebuilt = await l.engine.rebuildState();
  t.same(rebuilt.containers['uvt-a']!.ports, want);
});

t.test('inspect shows Docker\'s Ports and PortBindings', async (t) => {
  const { containerView } = await import('../../../src/model/views.js');
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn', ports: ['8080:80', '192.0.2.1:8081:80', '53:53/udp'] }]);
  const state = await l.engine.readState();
  const v = containerView(state.containers['uvt-a']!, state);
  const want = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '192.0.2.1', HostPort: '8081' }], '53/udp': [{ HostIp: '0.0.0.0', HostPort: '53' }] };
  t.same(v.NetworkSettings.Ports, want);
  t.same(v.HostConfig.PortBindings, want);
});

t.test('publishing on an internal network is refused (exit 2), nothing changed: nothing from outside could reach it', async (t) => {
  const l = await withNets();
  await l.engine.createNetwork({ name: 'uvi', subnet: '10.203.0.0/24', internal: true });
  l.reset();
  const before = l.stateText();
  await t.rejects(l.engine.createContainers([{ name: 'uvt-i', network: 'uvi', ports: ['8080:80'] }]),
    { name: 'ValidationError', field: 'publish', message: /network uvi is internal: nothing from outside reaches it/ });
  t.same(l.lines(), []);
  t.equal(l.stateText(), before);
});
