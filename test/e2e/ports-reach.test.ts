// Published ports from the world, the host and the containers: TCP and UDP, ranges, a chosen
// host address, hairpin, 127.0.0.1 publishing and the localhost guard, the client address seen.
import t from 'tap';
import { HOST_IP, WORLD_IP, sandbox } from '../helpers/sandbox.js';
import { Servers, tcp, udp } from '../helpers/ports.js';

const sb = await sandbox('ppr');
const servers = new Servers();
t.teardown(async () => {
  await servers.stop();
  await sb.down();
});
const [web, nb, loc] = ['web', 'nb', 'loc'].map((n) => sb.name(n));
const HOST_IP2 = '198.51.100.3';
const GATEWAY = '10.230.0.1';

t.before(async () => {
  const ok = async (args: string[]) => t.equal((await sb.cli(args)).code, 0, args.join(' '));
  await sb.exec(sb.host, ['ip', 'addr', 'add', `${HOST_IP2}/24`, 'dev', `${sb.tag}up`]);
  await ok(['network', 'create', 'pub', '--subnet', '10.230.0.0/24']);
  await ok(['container', 'create', web, '--network', 'pub', '--ip', '10.230.0.2',
    '-p', '8080:80', '-p', '8080:53/udp', '--publish', '9000-9001:7000-7001', '-p', `${HOST_IP2}:8081:80`]);
  await ok(['run', '--name', nb, '--net', 'pub', '--ip', '10.230.0.3']);
  await ok(['container', 'create', loc, '--network', 'pub', '--ip', '10.230.0.4', '-p', '127.0.0.1:8082:80']);
  for (const [c, port, proto] of [[web, 80, 'tcp'], [web, 53, 'udp'], [web, 7000, 'tcp'], [web, 7001, 'tcp'], [loc, 80, 'tcp']] as const) {
    await servers.start(c, `${c}:${port}`, port, proto);
  }
  // A service of the host bound to its own 127.0.0.1 only: no one else may reach it.
  await servers.start(sb.host, 'host-local', 9999);
});

t.test('from the world: TCP and UDP on one port number, a range, a chosen host address; the container sees the real client', async (t) => {
  t.equal(await tcp(sb.world, HOST_IP, 8080), `${web}:80 ${WORLD_IP}`, 'tcp 8080 → web:80, client address kept');
  t.equal(await udp(sb.world, HOST_IP, 8080), `${web}:53 ${WORLD_IP}`, 'udp 8080 → web:53 beside tcp 8080');
  t.equal(await tcp(sb.world, HOST_IP, 9000), `${web}:7000 ${WORLD_IP}`, 'range: 9000 → 7000');
  t.equal(await tcp(sb.world, HOST_IP, 9001), `${web}:7001 ${WORLD_IP}`, 'range: 9001 → 7001');
  t.equal(await tcp(sb.world, HOST_IP2, 8081), `${web}:80 ${WORLD_IP}`, 'the chosen host address answers');
  t.equal(await tcp(sb.world, HOST_IP, 8081), '', 'the other host address does not');
  t.equal(await tcp(sb.world, HOST_IP, 8082), '', 'a 127.0.0.1 mapping is not on the LAN address');
});

t.test('hairpin: a container reaches its own published port and its neighbour\'s through the host address', async (t) => {
  t.equal(await tcp(web, HOST_IP, 8080), `${web}:80 ${GATEWAY}`, 'web → HOST:8080 → web itself');
  t.equal(await tcp(nb, HOST_IP, 8080), `${web}:80 ${GATEWAY}`, 'neighbour → HOST:8080 → web');
  t.equal(await udp(nb, HOST_IP, 8080), `${web}:53 ${GATEWAY}`, 'neighbour, UDP');
  t.equal(await tcp(web, GATEWAY, 9001), `${web}:7001 ${GATEWAY}`, 'through the gateway address, a host address too');
  const port = await sb.ipJson<Array<{ linkinfo: { info_slave_data: { hairpin: boolean } } }>>(['-d', 'link', 'show', `nv-${web}-0`]);
  t.equal(port[0]!.linkinfo.info_slave_data.hairpin, true, "hairpin mode on web's bridge port");
});

t.test('with br_netfilter on, a neighbour straight to the container keeps its address; through the host it is masqueraded', async (t) => {
  // bridge-nf-call-iptables=1 (nslab sets it for a network with ICC off; loading br_netfilter
  // sets it for new namespaces): bridged frames then cross nat POSTROUTING too, and the hairpin
  // rule takes only connections DNATed back into the bridge.
  const nf = (v: string) => sb.exec(sb.host, ['sysctl', '-qw', `net.bridge.bridge-nf-call-iptables=${v}`]);
  await nf('1');
  t.teardown(() => nf('0'));
  t.equal(await tcp(nb, '10.230.0.2', 80), `${web}:80 10.230.0.3`, "neighbour → web:80 directly: web sees the neighbour's address");
  t.equal(await tcp(nb, HOST_IP, 8080), `${web}:80 ${GATEWAY}`, 'neighbour → HOST:8080 → web: hairpin still masquerades');
});

t.test('127.0.0.1: the host reaches wildcard and loopback mappings on 127.0.0.1; route_localnet only on the bridge', async (t) => {
  t.equal(await tcp(sb.host, '127.0.0.1', 8082), `${loc}:80 ${GATEWAY}`, 'host → 127.0.0.1:8082 → loc');
  t.equal(await tcp(sb.host, '127.0.0.1', 8080), `${web}:80 ${GATEWAY}`, 'host → 127.0.0.1:8080 (wildcard) → web');
  t.equal(await tcp(sb.host, HOST_IP, 8080), `${web}:80 ${HOST_IP}`, 'host → its own LAN address (the source it picked is kept)');
  const sysctl = async (k: string) => (await sb.exec(sb.host, ['sysctl', '-n', k])).stdout.trim();
  t.equal(await sysctl('net.ipv4.conf.nslab-pub.route_localnet'), '1');
  t.equal(await sysctl('net.ipv4.conf.all.route_localnet'), '0', 'never on all');
  t.equal(await sysctl(`net.ipv4.conf.${sb.tag}up.route_localnet`), '0', 'never on the uplink');
});

t.test('a world routing 127.0.0.1 at the host reaches neither a 127.0.0.1 mapping nor the host\'s own localhost services', async (t) => {
  // The attack for real (docs/kernel-notes.md): without all three, replies die and the test would pass for the wrong reason.
  const w = (cmd: string[]) => sb.exec(sb.world, cmd);
  await w(['ip', 'addr', 'del', '127.0.0.1/8', 'dev', 'lo']);
  await w(['sysctl', '-qw', `net.ipv4.conf.${sb.tag}w.route_localnet=1`]);
  await w(['ip', 'route', 'add', '127.0.0.1/32', 'via', HOST_IP]);
  t.equal(await tcp(sb.world, '127.0.0.1', 8082), '', '127.0.0.1:8082 (loopback mapping) unreachable from the world');
  t.equal(await tcp(sb.world, '127.0.0.1', 8080), '', '127.0.0.1:8080 (wildcard mapping) unreachable through 127.0.0.1 from the world');
  t.equal(await tcp(sb.world, '127.0.0.1', 9999), '', "the host's own localhost service unreachable");
  const rules = await sb.iptables();
  t.match(rules, /-A NSLAB-PREROUTING -d 127\.0\.0\.0\/8 ! -i lo -m comment --comment nslab -j DROP/, 'the guard is in raw PREROUTING');
  // Proof that the world's setup does reach the host: take the guard out, and the loopback mapping answers.
  await sb.exec(sb.host, ['iptables', '-t', 'raw', '-D', 'NSLAB-PREROUTING', '-d', '127.0.0.0/8', '!', '-i', 'lo', '-m', 'comment', '--comment', 'nslab', '-j', 'DROP']);
  t.equal(await tcp(sb.world, '127.0.0.1', 8082), `${loc}:80 ${WORLD_IP}`, 'without the guard the attack works (CVE-2020-8558 class)');
  const check = await sb.cli(['check']);
  t.match(check.stdout + check.stderr, /localhost guard/, 'check reports the missing guard');
  t.equal((await sb.cli(['check', '--repair'])).code, 0);
  t.equal(await tcp(sb.world, '127.0.0.1', 8082), '', 'repaired: unreachable again');
  await w(['ip', 'route', 'del', '127.0.0.1/32']);
  await w(['ip', 'addr', 'add', '127.0.0.1/8', 'dev', 'lo']);
});

t.test('inspect shows Docker\'s Ports shape', async (t) => {
  const r = await sb.cli(['container', 'inspect', web]);
  const [v] = JSON.parse(r.stdout) as Array<{ NetworkSettings: { Ports: Record<string, unknown> } }>;
  t.same(v!.NetworkSettings.Ports, {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: HOST_IP2, HostPort: '8081' }],
    '53/udp': [{ HostIp: '0.0.0.0', HostPort: '8080' }],
    '7000/tcp': [{ HostIp: '0.0.0.0', HostPort: '9000' }],
    '7001/tcp': [{ HostIp: '0.0.0.0', HostPort: '9001' }],
  });
});
