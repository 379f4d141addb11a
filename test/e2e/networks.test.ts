// Networks the Docker way: ip-range and aux addresses over many allocations, exhaustion,
// automatic subnets that skip the host's routes, the default network, MTU everywhere,
// ls / inspect / prune, and Docker's -o keys.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('nw');
t.teardown(() => sb.down());
const dir = mkdtempSync(join(tmpdir(), 'nslab-nw-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const inspectNet = async (n: string) => JSON.parse((await sb.cli(['network', 'inspect', n])).stdout)[0];

t.test('ip-range and aux addresses are honoured over many allocations; then the range is exhausted', async (t) => {
  const r = await sb.cli(['network', 'create', 'rng', '--subnet', '10.213.0.0/24', '--ip-range', '10.213.0.32/28',
    '--aux-address', 'router=10.213.0.33', '--aux-address', 'dns=10.213.0.40']);
  t.equal(r.code, 0, r.stderr);
  // 16 addresses in the range, two reserved: 14 containers, brought up by one lab file.
  const names = Array.from({ length: 14 }, (_, i) => sb.name(`r${i}`));
  const file = join(dir, 'rng.yaml');
  writeFileSync(file, `networks: {}\ncontainers:\n${names.map((n) => `  ${n}: { network: rng }\n`).join('')}`);
  t.equal((await sb.cli(['up', file])).code, 0);
  const ls = JSON.parse((await sb.cli(['--json', 'container', 'ls'])).stdout) as Array<{ NetworkSettings: { Networks: Record<string, { IPAddress: string }> } }>;
  const ips = ls.map((c) => c.NetworkSettings.Networks.rng!.IPAddress);
  const last = (ip: string) => Number(ip.split('.')[3]);
  t.equal(new Set(ips).size, 14, '14 distinct addresses');
  t.ok(ips.every((ip) => last(ip) >= 32 && last(ip) <= 47), 'all inside 10.213.0.32/28');
  t.notOk(ips.includes('10.213.0.33') || ips.includes('10.213.0.40'), 'never an aux address');
  const before = await sb.snapshot();
  const full = await sb.cli(['container', 'create', sb.name('rx'), '--network', 'rng']);
  t.equal(full.code, 2);
  t.match(full.stderr, /^nslab: address range exhausted: no free address left in 10\.213\.0\.32\/28/);
  t.same(await sb.snapshot(), before, 'and nothing was left behind');
  const fixed = await sb.cli(['container', 'create', sb.name('rx'), '--network', 'rng', '--ip', '10.213.0.200']);
  t.equal(fixed.code, 0, '--ip may still pick a free address of the subnet outside the range');
  const aux = await sb.cli(['container', 'create', sb.name('ry'), '--network', 'rng', '--ip', '10.213.0.40']);
  t.equal(aux.code, 2, '--ip on an aux address is refused');
  t.match(aux.stderr, /reserved/);
  t.equal((await sb.cli(['down', file])).code, 0);
  t.equal((await sb.cli(['container', 'rm', sb.name('rx')])).code, 0);
  const ni = await inspectNet('rng');
  t.same(ni.IPAM.Config, [{ Subnet: '10.213.0.0/24', Gateway: '10.213.0.1', IPRange: '10.213.0.32/28', AuxiliaryAddresses: { router: '10.213.0.33', dns: '10.213.0.40' } }]);
  t.equal((await sb.cli(['network', 'rm', 'rng'])).code, 0);
});

t.test('without --subnet: the first free default pool, skipping a route on the host, and said', async (t) => {
  await sb.exec(sb.host, ['ip', 'route', 'add', '172.17.0.0/16', 'via', '198.51.100.2']);
  const r = await sb.cli(['network', 'create', 'auto']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, 'nslab: note: picked subnet 172.18.0.0/16 for network auto');
  t.match(r.stdout, 'subnet 172.18.0.0/16');
  const r2 = await sb.cli(['network', 'create', 'auto2']);
  t.match(r2.stderr, 'picked subnet 172.19.0.0/16', 'and the next one skips the network just made');
  t.equal((await sb.cli(['network', 'rm', 'auto', 'auto2'])).code, 0);
  await sb.exec(sb.host, ['ip', 'route', 'del', '172.17.0.0/16']);
});

t.test('the default network "bridge" (bridge nslab0) appears on first use, like docker0', async (t) => {
  const c = sb.name('d');
  const r = await sb.cli(['container', 'create', c]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `host end nv-${c}-0 on nslab0 (network bridge)`);
  const ni = await inspectNet('bridge');
  t.equal(ni.Options['com.docker.network.bridge.name'], 'nslab0');
  t.equal(ni.IPAM.Config[0].Subnet, '172.17.0.0/16');
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
  t.equal((await sb.cli(['network', 'rm', 'bridge'])).code, 0);
});

t.test('--mtu: the bridge, both veth ends and eth0 inside', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'jumbo', '--subnet', '10.213.1.0/24', '--mtu', '1400'])).code, 0);
  const c = sb.name('j');
  t.equal((await sb.cli(['container', 'create', c, '--network', 'jumbo'])).code, 0);
  const mtu = async (dev: string, ns?: string) => (await sb.ipJson<Array<{ mtu: number }>>(['link', 'show', dev], ns))[0]!.mtu;
  t.equal(await mtu('nslab-jumbo'), 1400, 'bridge');
  t.equal(await mtu(`nv-${c}-0`), 1400, 'host end');
  t.equal(await mtu('eth0', c), 1400, 'eth0 inside');
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
  t.equal((await sb.cli(['network', 'rm', 'jumbo'])).code, 0);
});

t.test("Docker's -o keys translate one to one; ls and inspect show them the Docker way", async (t) => {
  const r = await sb.cli(['network', 'create', 'dk', '--driver', 'bridge', '--subnet', '10.213.2.0/24', '-o', 'com.docker.network.bridge.name=dkbr',
    '-o', 'com.docker.network.bridge.enable_icc=false', '-o', 'com.docker.network.bridge.enable_ip_masquerade=false',
    '-o', 'com.docker.network.driver.mtu=1450']);
  t.equal(r.code, 0, r.stderr);
  const ni = await inspectNet('dk');
  t.equal(ni.Name, 'dk');
  t.match(ni.Id, /^[0-9a-f]{64}$/);
  t.equal(ni.Driver, 'bridge');
  t.same(ni.Options, {
    'com.docker.network.bridge.name': 'dkbr', 'com.docker.network.bridge.enable_icc': 'false',
    'com.docker.network.bridge.enable_ip_masquerade': 'false', 'com.docker.network.driver.mtu': '1450',
    'nslab.firewall.backend': 'iptables',
  });
  const rules = await sb.iptables();
  t.notMatch(rules, /10\.213\.2\.0\/24.*MASQUERADE/, 'no MASQUERADE');
  t.match(rules, `-A NSLAB-FORWARD -i dkbr -o dkbr -m comment --comment "nslab:${sb.lab()}:net=dk" -j DROP`);
  const c = sb.name('k');
  t.equal((await sb.cli(['container', 'create', c, '--network', 'dk', '--mac', '02:42:00:00:00:aa'])).code, 0);
  const withC = await inspectNet('dk');
  t.same(Object.values(withC.Containers).map((e: any) => [e.Name, e.IPv4Address, e.MacAddress]), [[c, '10.213.2.2/24', '02:42:00:00:00:aa']]);
  const ls = (await sb.cli(['network', 'ls'])).stdout.split('\n');
  t.match(ls[0], /^NETWORK ID\s+NAME\s+DRIVER\s+SCOPE\s+BRIDGE\s+SUBNET/);
  t.ok(ls.some((l) => /^[0-9a-f]{12}\s+dk\s+bridge\s+local\s+dkbr\s+10\.213\.2\.0\/24/.test(l)), 'a row for dk');
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
});

t.test('prune removes exactly the networks without containers', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'used', '--subnet', '10.213.3.0/24'])).code, 0);
  t.equal((await sb.cli(['network', 'create', 'idle', '--subnet', '10.213.4.0/24'])).code, 0);
  const c = sb.name('u');
  t.equal((await sb.cli(['container', 'create', c, '--network', 'used'])).code, 0);
  const r = await sb.cli(['network', 'prune']);
  t.equal(r.code, 0);
  t.same(r.stdout.trim().split('\n').sort(), ['dk', 'idle']);
  t.same(JSON.parse((await sb.cli(['--json', 'network', 'ls'])).stdout).map((n: any) => n.Name), ['used']);
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
  t.equal((await sb.cli(['network', 'rm', 'used'])).code, 0);
});
