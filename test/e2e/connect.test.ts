// network connect / disconnect: the next free ethN, the default route stays, both idempotent;
// several networks at create; network rm refused while attached unless --force.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_IP, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('co');
t.teardown(() => sb.down());
const [c, x, y, m] = ['c', 'x', 'y', 'm'].map((n) => sb.name(n));
const ifaces = async (ns: string) => (await sb.ipJson<Array<{ ifname: string; addr_info: Array<{ family: string; local: string }> }>>(['addr', 'show'], ns))
  .map((a) => `${a.ifname} ${a.addr_info.filter((i) => i.family === 'inet').map((i) => i.local).join(',')}`);
const defaultVia = async (ns: string) => (await sb.ipJson<Array<{ dst: string; gateway?: string }>>(['route', 'show'], ns)).find((r) => r.dst === 'default')?.gateway;

t.before(async () => {
  await sb.startWorldServer();
  for (const [net, sub] of [['neta', '10.212.1.0/24'], ['netb', '10.212.2.0/24'], ['netc', '10.212.3.0/24']]) {
    t.equal((await sb.cli(['network', 'create', net!, '--subnet', sub!])).code, 0);
  }
  for (const [name, net] of [[c, 'neta'], [x, 'neta'], [y, 'netb']]) t.equal((await sb.cli(['container', 'create', name!, '--network', net!])).code, 0);
});

t.test('connect adds eth1 with its address; the default route stays on the first network', async (t) => {
  const before = await sb.snapshot();
  const r = await sb.cli(['network', 'connect', 'netb', c, '--ip', '10.212.2.50', '--alias', 'web']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `eth1 10.212.2.50/24`);
  t.same(await ifaces(c), ['lo 127.0.0.1', 'eth0 10.212.1.2', 'eth1 10.212.2.50']);
  t.equal(await defaultVia(c), '10.212.1.1', 'default route still via neta');
  t.equal((await sb.ping(c, '10.212.1.3')).code, 0, 'reaches x on neta');
  t.equal((await sb.ping(c, '10.212.2.2')).code, 0, 'reaches y on netb');
  t.equal((await sb.ping(y, '10.212.2.50')).code, 0, 'y reaches c on netb');
  t.equal((await sb.tcpFrom(c)).stdout.trim(), HOST_IP, 'and the world, through NAT');
  const ci = JSON.parse((await sb.cli(['container', 'inspect', c])).stdout)[0];
  t.same(Object.keys(ci.NetworkSettings.Networks), ['neta', 'netb']);
  t.equal(ci.NetworkSettings.Networks.netb.IPAddress, '10.212.2.50');
  t.same(ci.NetworkSettings.Networks.netb.Aliases, ['web']);
  t.equal(ci.NetworkSettings.Networks.netb.HostVeth, `nv-${c}-1`);
  const ni = JSON.parse((await sb.cli(['network', 'inspect', 'netb'])).stdout)[0];
  t.ok(Object.values(ni.Containers).some((e: any) => e.Name === c && e.IPv4Address === '10.212.2.50/24'));

  const mid = await sb.snapshot();
  t.equal((await sb.cli(['network', 'connect', 'netb', c])).code, 0, 'connect again: fine');
  t.equal((await sb.cli(['network', 'connect', 'netb', c, '--ip', '10.212.2.50'])).code, 0, 'with the same --ip: fine');
  t.same(await sb.snapshot(), mid, 'and nothing changed');
  const other = await sb.cli(['network', 'connect', 'netb', c, '--ip', '10.212.2.51']);
  t.equal(other.code, 2, 'with another --ip: a conflict');
  t.match(other.stderr, /already connected to netb with 10\.212\.2\.50/);

  t.equal((await sb.cli(['network', 'disconnect', 'netb', c])).code, 0);
  t.same(await ifaces(c), ['lo 127.0.0.1', 'eth0 10.212.1.2'], 'exactly eth1 is gone');
  const again = await sb.cli(['network', 'disconnect', 'netb', c]);
  t.equal(again.code, 0, 'disconnect again: fine');
  t.match(again.stdout, 'was not connected');
  t.same(await sb.snapshot(), before, 'connect + disconnect leaves the host as before');
});

t.test('the next free ethN is reused after a disconnect', async (t) => {
  for (const net of ['netb', 'netc']) t.equal((await sb.cli(['network', 'connect', net, c])).code, 0);
  t.same((await ifaces(c)).map((l) => l.split(' ')[0]), ['lo', 'eth0', 'eth1', 'eth2']);
  t.equal((await sb.cli(['network', 'disconnect', 'netb', c])).code, 0);
  t.equal((await sb.cli(['network', 'connect', 'netb', c])).code, 0);
  const ci = JSON.parse((await sb.cli(['container', 'inspect', c])).stdout)[0];
  t.equal(ci.NetworkSettings.Networks.netb.Interface, 'eth1', 'eth1 again');
  for (const net of ['netb', 'netc']) t.equal((await sb.cli(['network', 'disconnect', net, c])).code, 0);
});

t.test('bad connects: exit 2 and nothing changes', async (t) => {
  const before = await sb.snapshot();
  const h = sb.name('h');
  t.equal((await sb.cli(['container', 'create', h, '--network', 'host'])).code, 0);
  const mid = await sb.snapshot();
  for (const [args, msg] of [
    [['network', 'connect', 'nope', c], /no such network "nope"/],
    [['network', 'connect', 'netb', sb.name('nope')], /no such container/],
    [['network', 'connect', 'netb', h], /network mode host/],
    [['network', 'connect', 'netb', c, '--ip', '10.212.9.9'], /^nslab: ip: 10\.212\.9\.9 is outside the subnet/],
    [['network', 'connect', 'netb', c, '--ip', '10.212.2.2'], /already in use/],
  ] as Array<[string[], RegExp]>) {
    const r = await sb.cli(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, msg);
  }
  t.same(await sb.snapshot(), mid);
  t.equal((await sb.cli(['container', 'rm', h])).code, 0);
  t.same(await sb.snapshot(), before);
});

t.test('a kill -9 at any point of a connect leaves the container as it was', async (t) => {
  const before = await sb.snapshot();
  let n = 1;
  for (; n <= 20; n++) {
    const r = await sb.cli(['network', 'connect', 'netb', c], { NSLAB_CRASH_AT: String(n) });
    if (r.code === 0) break;
    t.equal((await sb.cli(['network', 'create', 'neta', '--subnet', '10.212.1.0/24'])).code, 0, `crash at ${n}: the next run recovers`);
    t.same(await sb.snapshot(), before, `crash at ${n}: no half-made endpoint`);
    const ci = JSON.parse((await sb.cli(['container', 'inspect', c])).stdout)[0];
    t.same(Object.keys(ci.NetworkSettings.Networks), ['neta'], `crash at ${n}: not recorded`);
  }
  t.ok(n - 1 >= 3, `${n - 1} kill points, each recovered`);
  t.equal((await sb.cli(['network', 'disconnect', 'netb', c])).code, 0);
  t.same(await sb.snapshot(), before);
});

t.test('a container without interfaces (none) gets one by connect; its hosts file follows, check stays clean', async (t) => {
  const n = sb.name('n');
  t.equal((await sb.cli(['container', 'create', n, '--network', 'none'])).code, 0);
  const before = await sb.snapshot();
  const hosts = () => readFileSync(`/etc/netns/${n}/hosts`, 'utf8');
  const hostsBefore = hosts();
  t.equal((await sb.cli(['network', 'connect', 'netb', n])).code, 0);
  t.same(await ifaces(n), ['lo 127.0.0.1', 'eth0 10.212.2.3']);
  t.equal(await defaultVia(n), '10.212.2.1', 'its only interface holds the default route');
  t.match(readFileSync(`/etc/netns/${n}/hosts`, 'utf8'), `10.212.2.3\t${n}`, 'hosts names its new address');
  t.equal((await sb.cli(['check'])).code, 0, 'check: the kernel and files match the records');
  // Killed in the middle of such a connect: the next run deletes the veth and writes hosts back.
  t.equal((await sb.cli(['network', 'disconnect', 'netb', n])).code, 0);
  t.same(await sb.snapshot(), before, 'disconnect: as before');
  t.equal(hosts(), hostsBefore, 'and so is the hosts file');
  for (let k = 1; k <= 4; k++) {
    const r = await sb.cli(['network', 'connect', 'netb', n], { NSLAB_CRASH_AT: String(k) });
    if (r.code === 0) break;
    t.equal((await sb.cli(['network', 'create', 'netb', '--subnet', '10.212.2.0/24'])).code, 0);
    t.same(await sb.snapshot(), before, `crash at ${k}: back as before`);
    t.equal(hosts(), hostsBefore, `crash at ${k}: hosts written back`);
    t.equal((await sb.cli(['check'])).code, 0, `crash at ${k}: check clean`);
  }
  await sb.cli(['network', 'disconnect', 'netb', n]);
  t.equal((await sb.cli(['container', 'rm', n])).code, 0);
});

t.test('several networks at create (repeated --network, and a lab file list)', async (t) => {
  t.equal((await sb.cli(['container', 'create', m, '--network', 'netb', '--network', 'neta'])).code, 0);
  t.same(await ifaces(m), ['lo 127.0.0.1', 'eth0 10.212.2.3', 'eth1 10.212.1.4']);
  t.equal(await defaultVia(m), '10.212.2.1', 'the first network holds the default route');
  t.equal((await sb.cli(['container', 'rm', m])).code, 0);
  const dir = mkdtempSync(join(tmpdir(), 'nslab-co-'));
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, `networks:\n  netd:\n    subnet: 10.212.4.0/24\ncontainers:\n  ${m}:\n    networks: [netd, netc]\n`);
  t.equal((await sb.cli(['up', file])).code, 0);
  t.same(await ifaces(m), ['lo 127.0.0.1', 'eth0 10.212.4.2', 'eth1 10.212.3.2']);
  t.equal((await sb.cli(['down', file])).code, 0);
  rmSync(dir, { recursive: true });
});

t.test('network rm: refused while containers are attached, --force disconnects them', async (t) => {
  t.equal((await sb.cli(['network', 'connect', 'netc', c])).code, 0);
  const refused = await sb.cli(['network', 'rm', 'netc']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, `has containers attached (${c})`);
  const forced = await sb.cli(['network', 'rm', '--force', 'netc']);
  t.equal(forced.code, 0);
  t.match(forced.stderr, `disconnected ${c} from network netc`);
  t.same(await ifaces(c), ['lo 127.0.0.1', 'eth0 10.212.1.2']);
  t.notMatch(await sb.iptables(), /netc/, 'its rules are gone');
});
