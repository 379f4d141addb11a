// The seed lab ("docker0 by hand") through the CLI, inside a sandbox: traffic, NAT, files, idempotency, teardown.
import t from 'tap';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sandbox, HOST_IP, WORLD_IP } from '../helpers/sandbox.js';
import { hostResolvers } from '../../src/kernel/netns-files.js';

const sb = await sandbox('sd');
t.teardown(() => sb.down());
const c4 = sb.name('c4'), c5 = sb.name('c5');
const before = await sb.snapshot();

const labFile = join(mkdtempSync(join(tmpdir(), 'nslab-lab-')), 'lab.yaml');
writeFileSync(labFile, readFileSync(new URL('../../examples/docker0/lab.yaml', import.meta.url), 'utf8')
  .replaceAll('container4', c4).replaceAll('container5', c5));
t.teardown(() => rmSync(dirname(labFile), { recursive: true, force: true }));

t.test('up builds the lab and prints what it built', async (t) => {
  const r = await sb.cli(['up', labFile]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /network lab: bridge br0, subnet 10\.201\.0\.0\/24, gateway 10\.201\.0\.1/);
  t.match(r.stdout, new RegExp(`container ${c4}: eth0 10\\.201\\.0\\.4/24 .* host end nv-${c4}-0 on br0`));
});

t.test('kernel objects are the ones of the hand-written lab', async (t) => {
  const br = (await sb.ipJson(['-d', 'link', 'show', 'br0']))[0] as any;
  t.equal(br.linkinfo.info_kind, 'bridge');
  t.equal(br.ifalias, `nslab:${sb.lab()}:network:lab`, 'bridge carries the ownership mark');
  const addrs = (await sb.ipJson(['addr', 'show', 'br0']))[0] as any;
  t.same(addrs.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => [a.local, a.prefixlen, a.broadcast]), [['10.201.0.1', 24, '10.201.0.255']]);
  const veth = (await sb.ipJson(['-d', 'link', 'show', `nv-${c4}-0`]))[0] as any;
  t.equal(veth.master, 'br0');
  t.equal(veth.ifalias, `nslab:${sb.lab()}:endpoint:${c4}:eth0`);
  const inside = await sb.ipJson(['addr', 'show'], c4) as any[];
  t.same(inside.map((l) => l.ifname).sort(), ['eth0', 'lo']);
  const eth0 = inside.find((l) => l.ifname === 'eth0');
  t.equal(eth0.address, '02:42:0a:c9:00:04', "Docker's MAC scheme");
  t.ok(eth0.flags.includes('UP'));
  t.same(eth0.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`), ['10.201.0.4/24']);
  t.ok(inside.find((l) => l.ifname === 'lo').flags.includes('UP'), 'lo is up');
  const routes = await sb.ipJson(['route', 'show'], c4) as any[];
  t.ok(routes.some((r) => r.dst === 'default' && r.gateway === '10.201.0.1' && r.dev === 'eth0'));
  t.equal((await sb.exec(sb.host, ['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim(), '1');
  const rules = await sb.iptables();
  t.match(rules, /-A POSTROUTING -m comment --comment nslab -j NSLAB-POSTROUTING/);
  t.match(rules, `-A NSLAB-POSTROUTING -s 10.201.0.0/24 ! -o br0 -m comment --comment "nslab:${sb.lab()}:net=lab" -j MASQUERADE`);
  t.match(rules, /-A FORWARD -m comment --comment nslab -j NSLAB-FORWARD/);
  t.match(rules, /:NSLAB-USER - /);
});

t.test('traffic: container to container, to the gateway, and to the world through NAT', async (t) => {
  t.equal((await sb.ping(c4, '10.201.0.5')).code, 0, 'c4 -> c5');
  t.equal((await sb.ping(c5, '10.201.0.4')).code, 0, 'c5 -> c4');
  t.equal((await sb.ping(c4, '10.201.0.1')).code, 0, 'c4 -> gateway');
  await sb.startWorldServer();
  const r = await sb.tcpFrom(c4);
  t.equal(r.code, 0, r.stderr);
  // The world has no route to 10.201.0.0/24: only MASQUERADE can make this answer come back.
  t.equal(r.stdout.trim(), HOST_IP, 'the world sees the host address, not 10.201.0.4');
});

t.test('resolv.conf carries the host resolvers, hosts the container name', async (t) => {
  const resolv = readFileSync(`/etc/netns/${c4}/resolv.conf`, 'utf8');
  t.match(resolv, /^# nslab: managed by nslab/);
  // The gateway first (nslabd's DNS server), then the host's resolvers: three at most.
  const want = ['10.201.0.1', ...hostResolvers().nameservers.filter((n) => n !== '10.201.0.1')].slice(0, 3);
  t.same(resolv.split('\n').filter((l) => l.startsWith('nameserver')).map((l) => l.split(' ')[1]), want);
  t.notMatch(resolv, /8\.8\.8\.8/);
  const hosts = readFileSync(`/etc/netns/${c4}/hosts`, 'utf8');
  t.match(hosts, new RegExp(`10\\.201\\.0\\.4\\t${c4}`));
  const seen = await sb.exec(c4, ['cat', '/etc/resolv.conf']);
  t.equal(seen.stdout.trim(), resolv.trim(), 'ip netns exec shows it as /etc/resolv.conf');
});

t.test('ls, inspect (table and JSON) and exec', async (t) => {
  const ls = await sb.cli(['network', 'ls']);
  t.match(ls.stdout, /NETWORK ID\s+NAME\s+DRIVER\s+SCOPE/);
  t.match(ls.stdout, /lab\s+bridge\s+local\s+br0\s+10\.201\.0\.0\/24/);
  const ni = JSON.parse((await sb.cli(['network', 'inspect', 'lab'])).stdout)[0];
  t.equal(ni.IPAM.Config[0].Subnet, '10.201.0.0/24');
  t.equal(ni.Options['com.docker.network.bridge.name'], 'br0');
  t.equal(Object.keys(ni.Containers).length, 2);
  const cls = await sb.cli(['container', 'ls']);
  t.match(cls.stdout, new RegExp(`${c5}\\s+lab\\s+10\\.201\\.0\\.5/24`));
  const ci = JSON.parse((await sb.cli(['--json', 'container', 'inspect', c4])).stdout)[0];
  t.equal(ci.NetworkSettings.Networks.lab.IPAddress, '10.201.0.4');
  t.equal(ci.NetworkSettings.Networks.lab.HostVeth, `nv-${c4}-0`);
  t.equal(ci.NetworkSettings.SandboxKey, `/run/netns/${c4}`);
  const ex = await sb.cli(['exec', c4, '--', 'ip', '-o', 'addr', 'show', 'eth0']);
  t.equal(ex.code, 0, ex.stderr);
  t.match(ex.stdout, /10\.201\.0\.4\/24/);
  const missing = await sb.cli(['container', 'inspect', sb.name('nope')]);
  t.equal(missing.code, 2);
});

t.test('up twice and create twice change nothing', async (t) => {
  const snap = await sb.snapshot();
  const r = await sb.cli(['up', labFile]);
  t.equal(r.code, 0, r.stderr);
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.201.0.0/24', '--gateway', '10.201.0.1', '--bridge', 'br0'])).code, 0);
  t.equal((await sb.cli(['container', 'create', c4, '--network', 'lab', '--ip', '10.201.0.4'])).code, 0);
  t.same(await sb.snapshot(), snap);
  const conflict = await sb.cli(['container', 'create', c4, '--network', 'lab', '--ip', '10.201.0.9']);
  t.equal(conflict.code, 2);
  t.match(conflict.stderr, /already exists with other settings \(ip\)/);
  const netConflict = await sb.cli(['network', 'create', 'lab', '--subnet', '10.202.0.0/24']);
  t.equal(netConflict.code, 2);
  t.same(await sb.snapshot(), snap, 'conflicts changed nothing');
});

t.test('dry-run prints the commands and changes nothing', async (t) => {
  const snap = await sb.snapshot();
  const r = await sb.cli(['--dry-run', 'container', 'create', sb.name('c6'), '--network', 'lab']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`netns add ${sb.name('c6')}`));
  t.match(r.stdout, /addr add 10\.201\.0\.2\/24 brd 10\.201\.0\.255 dev eth0/);
  t.same(await sb.snapshot(), snap);
});

t.test('addresses are allocated, never network, gateway or broadcast', async (t) => {
  const r = await sb.cli(['--json', 'container', 'create', sb.name('c6'), '--network', 'lab']);
  t.equal(r.code, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).NetworkSettings.Networks.lab.IPAddress, '10.201.0.2');
  t.equal((await sb.ping(sb.name('c6'), '10.201.0.4')).code, 0);
  t.equal((await sb.cli(['container', 'rm', sb.name('c6')])).code, 0);
});

t.test('rm twice, network rm refused while in use, reset twice', async (t) => {
  const busy = await sb.cli(['network', 'rm', 'lab']);
  t.equal(busy.code, 2);
  t.match(busy.stderr, /has containers attached/);
  for (let i = 0; i < 2; i++) {
    const r = await sb.cli(['container', 'rm', c4]);
    t.equal(r.code, 0, `rm #${i + 1}: ${r.stderr}`);
  }
  t.same((await sb.ipJson(['link', 'show'])).filter((l: any) => l.ifname === `nv-${c4}-0`), [], 'host veth gone');
  t.notOk((await sb.snapshot() as any).netns.includes(c4));
  for (let i = 0; i < 2; i++) t.equal((await sb.cli(['reset'])).code, 0, `reset #${i + 1}`);
  const after = await sb.snapshot() as any;
  const b = before as any;
  t.same(after.links, b.links, 'links as before');
  t.same(after.addrs, b.addrs, 'addresses as before');
  t.same(after.iptables, b.iptables, 'ruleset as before');
  t.same(after.netns, [], 'no namespaces left');
  t.same(after.etc, [], 'no /etc/netns entries left');
  t.equal(JSON.parse((await sb.cli(['--json', 'container', 'ls'])).stdout).length, 0);
});
