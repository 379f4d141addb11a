// nslabd's life: kill -9 at many points while it creates 30 containers, ten restarts with
// the ruleset byte-identical and a ping that loses nothing, a simulated reboot, drift repaired
// on SIGHUP and by check --repair, and a corrupt state file.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteEngine } from '../../src/client/remote.js';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('dl');
t.teardown(() => sb.down());
const api = () => new RemoteEngine(sb.socket, () => {});
const ours = (names: string[]) => names.filter((n) => n.startsWith(sb.name('k')));

t.before(async () => {
  await sb.startDaemon();
  await api().createNetwork({ name: 'lab', subnet: '10.215.0.0/24' });
});

t.test('kill -9 at 10 points while creating 30 containers: each is whole or gone', async (t) => {
  const KILLS = 10;
  for (let k = 0; k < KILLS; k++) {
    const names = Array.from({ length: 30 }, (_, i) => sb.name(`k${k}x${i}`));
    const delay = 15 + k * 45; // spread over the ~0.5 s the 30 creates take
    const pending = Promise.allSettled(names.map((name) => api().createContainers([{ name, network: 'lab' }])));
    await new Promise((r) => setTimeout(r, delay));
    await sb.stopDaemon('SIGKILL');
    await pending;
    await sb.startDaemon(); // recovers from intent.json, then restores the records
    const state = await api().readState();
    const recorded = Object.values(state.containers).filter((c) => names.includes(c.name));
    const ips = recorded.map((c) => c.endpoints[0]!.addresses[0]!.ip);
    t.equal(new Set(ips).size, ips.length, `kill ${k + 1} at ${delay} ms: ${recorded.length} of 30 recorded, no address twice`);
    t.equal((await sb.cli(['check'])).code, 0, `kill ${k + 1}: every recorded container is whole in the kernel`);
    const last = recorded[recorded.length - 1];
    if (last) t.equal((await sb.ping(last.name, '10.215.0.1')).code, 0, `kill ${k + 1}: and working (${last.name} reaches its gateway)`);
    t.match((await sb.cli(['gc'])).stdout, 'nothing to collect', `kill ${k + 1}: nothing half-built is left without a record`);
    const netns = ours((await sb.snapshot() as { netns: string[] }).netns);
    t.same(netns.sort(), recorded.map((c) => c.name).sort(), `kill ${k + 1}: the namespaces are exactly the recorded containers`);
    await api().removeContainers(recorded.map((c) => c.name));
  }
});

t.test('10 restarts (SIGTERM, start): containers stay, ruleset byte-identical, a ping through them loses nothing', async (t) => {
  const [a, b] = [sb.name('pa'), sb.name('pb')];
  await api().createContainers([{ name: a, network: 'lab' }, { name: b, network: 'lab' }]);
  const ip = (await api().readState()).containers[b]!.endpoints[0]!.addresses[0]!.ip;
  const rules = await sb.iptables();
  const links = (await sb.snapshot()).links;
  const ping = sb.exec(a, ['ping', '-i', '0.05', '-c', '120', '-q', ip]);
  for (let i = 1; i <= 10; i++) {
    t.equal(await sb.stopDaemon('SIGTERM'), 0, `restart ${i}: nslabd exits 0 on SIGTERM`);
    await sb.startDaemon();
    t.equal(await sb.iptables(), rules, `restart ${i}: iptables-save identical`);
  }
  t.same((await sb.snapshot()).links, links, 'links identical after 10 restarts');
  const r = await ping;
  t.match(r.stdout, / 120 received, 0% packet loss/, 'continuous ping through 10 restarts: 120 of 120');
  await api().removeContainers([a, b]);
});

t.test('reboot: the kernel objects are gone, the state is not; nslabd rebuilds them with the same addresses', async (t) => {
  const [a, b] = [sb.name('ra'), sb.name('rb')];
  await api().createContainers([{ name: a, network: 'lab' }, { name: b, network: 'lab', ip: '10.215.0.77' }]);
  const before = await sb.snapshot();
  await sb.stopDaemon();
  // What a reboot takes: namespaces, links, the ruleset, the sysctls. (/etc/netns is on disk.)
  for (const c of [a, b]) await sb.exec(sb.host, ['ip', 'netns', 'del', c]);
  await sb.exec(sb.host, ['ip', 'link', 'del', 'nslab-lab']);
  for (const [table, chains] of [['nat', ['NSLAB-POSTROUTING']], ['filter', ['NSLAB-FORWARD', 'NSLAB-ISOLATION-1', 'NSLAB-ISOLATION-2', 'NSLAB-USER']]] as const) {
    await sb.exec(sb.host, ['iptables', '-t', table, '-F', table === 'nat' ? 'POSTROUTING' : 'FORWARD']);
    for (const c of chains) await sb.exec(sb.host, ['iptables', '-t', table, '-F', c]);
    for (const c of chains) await sb.exec(sb.host, ['iptables', '-t', table, '-X', c]);
  }
  await sb.exec(sb.host, ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
  t.equal((await sb.cli(['--socket', '/nonexistent', 'check'])).code, 1, 'check sees everything missing');
  await sb.startDaemon();
  const after = await sb.snapshot();
  // Host veth ends get new random MACs, hence new IPv6 link-local addresses: compare the rest.
  const stable = (snap: Record<string, any>) => ({
    ...snap,
    links: snap.links.map((l: any) => `${l.ifname} ${l.kind} ${l.master ?? ''} ${l.mtu} ${l.alias ?? ''} ${l.up}`).sort(),
    addrs: snap.addrs.map((a: any) => ({ ...a, addrs: a.addrs.filter((x: string) => !x.startsWith('fe80:')) })),
  });
  t.same(stable(after), stable(before), 'links, addresses, routes, rules, forwarding, namespaces and files as before');
  t.equal((await sb.ping(a, '10.215.0.77')).code, 0, 'and they work');
  await api().removeContainers([a, b]);
});

t.test('drift: check names it; SIGHUP and check --repair restore exactly the records, no duplicate rule', async (t) => {
  const c = sb.name('dc');
  await api().createContainers([{ name: c, network: 'lab' }]);
  const rules = await sb.iptables();
  const breakIt = async () => {
    await sb.exec(sb.host, ['iptables', '-t', 'nat', '-F', 'NSLAB-POSTROUTING']);
    await sb.exec(sb.host, ['ip', 'link', 'del', `nv-${c}-0`]);
  };
  await breakIt();
  const r = await sb.cli(['check']);
  t.equal(r.code, 1, 'check: exit 1');
  t.match(r.stdout, /drift: network lab: MASQUERADE for 10\.215\.0\.0\/24 is missing: .* \(-t nat -A NSLAB-POSTROUTING -s 10\.215\.0\.0\/24/);
  t.match(r.stdout, new RegExp(`drift: container ${c}: veth nv-${c}-0 \\(eth0 on lab\\) is missing`));
  process.kill(sb.daemon!.pid!, 'SIGHUP');
  for (let i = 0; i < 50 && (await sb.cli(['check'])).code !== 0; i++) await new Promise((res) => setTimeout(res, 100));
  t.equal((await sb.cli(['check'])).code, 0, 'SIGHUP: restored');
  t.equal(await sb.iptables(), rules, 'the ruleset exactly as recorded, no duplicate');
  await breakIt();
  const rep = await sb.cli(['check', '--repair']);
  t.equal(rep.code, 0, rep.stdout);
  t.match(rep.stdout, 'repaired; the kernel matches the records again');
  t.equal(await sb.iptables(), rules, 'check --repair: the same ruleset');
  t.equal((await sb.ping(c, '10.215.0.1')).code, 0, 'the container works again');
  await api().removeContainers([c]);
});

t.test('a corrupt state file: nslabd refuses to change anything, says so, and rebuilds from the marks', async (t) => {
  const c = sb.name('cs');
  await api().createContainers([{ name: c, network: 'lab', ip: '10.215.0.50' }]);
  await sb.stopDaemon();
  const file = join(sb.stateDir, 'state.json');
  writeFileSync(file, readFileSync(file, 'utf8').slice(0, 40)); // truncated
  await sb.startDaemon();
  const before = await sb.snapshot();
  const r = await sb.cli(['container', 'create', sb.name('cx'), '--network', 'lab']);
  t.equal(r.code, 1);
  t.match(r.stderr, /state file .* is unreadable .* refuses to change anything .* `nslab rebuild-state` rebuilds it from the kernel objects that carry nslab's mark/);
  t.same(await sb.snapshot(), before, 'nothing changed');
  const rb = await sb.cli(['rebuild-state']);
  t.equal(rb.code, 0, rb.stderr);
  t.match(rb.stdout, `1 network(s) (lab), 1 container(s) (${c})`);
  const st = await api().readState();
  t.equal(st.containers[c]!.endpoints[0]!.addresses[0]!.ip, '10.215.0.50', 'the address is read back from the kernel');
  t.equal((await sb.cli(['check'])).code, 0);
  t.equal((await sb.cli(['container', 'rm', c])).code, 0, 'and changes work again');
});
