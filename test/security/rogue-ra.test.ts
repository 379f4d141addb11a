// Rogue IPv6: on a network without IPv6 a neighbour's router advertisement configures nothing,
// and --no-icc cannot be bypassed over link-local IPv6 (containers' interfaces have IPv6 off).
import t from 'tap';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('ker');
t.teardown(() => sb.down());
const [victim, rogue, control, x, y] = ['v', 'r', 'c', 'x', 'y'].map((n) => sb.name(n)) as [string, string, string, string, string];
const PREFIX = '2001:db8:bad::'; // a documentation prefix, only ever inside this sandbox

// One router advertisement (router lifetime 1800 s, prefix PREFIX/64 with on-link and
// autonomous set) to all nodes, as any root process in a container can send it.
const RA = `
import socket, struct, sys, time
dev = sys.argv[1]
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
ra = struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 1800, 0, 0)
pi = struct.pack('!BBBBIII', 3, 4, 64, 0xc0, 86400, 14400, 0) + socket.inet_pton(socket.AF_INET6, sys.argv[2])
for _ in range(3):
    s.sendto(ra + pi, ('ff02::1', 0, 0, socket.if_nametoindex(dev)))
    time.sleep(0.3)
`;

const sysctl = async (ns: string, key: string) => (await sb.exec(ns, ['cat', `/proc/sys/${key.replace(/\./g, '/')}`])).stdout.trim();
const v6 = (ns: string, args: string[]) => sb.ipJson<Array<Record<string, any>>>(['-6', ...args], ns);
const globals = async (ns: string) => (await v6(ns, ['addr', 'show', 'scope', 'global'])).flatMap((a) => a.addr_info.filter((i: any) => i.local).map((i: any) => `${i.local} on ${a.ifname}`));
const defaults = async (ns: string) => (await v6(ns, ['route', 'show', 'default'])).map((r) => `default via ${r.gateway} dev ${r.dev}`);
/** What a hostile container does in its own namespace: IPv6 back on, a link-local address. */
const armed = async (ns: string) => {
  t.equal((await sb.exec(ns, ['sysctl', '-qw', 'net.ipv6.conf.eth0.disable_ipv6=0'])).code, 0, `${ns} turns IPv6 back on for itself`);
  t.equal((await sb.exec(ns, ['ip', 'addr', 'add', 'fe80::bad/64', 'dev', 'eth0', 'nodad'])).code, 0, `${ns} takes fe80::bad`);
};
/** The link-local address the kernel would give eth0 (EUI-64 of its MAC). */
const linkLocalOf = (mac: string) => {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  b[0] ^= 2;
  const w = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | 0xff, (0xfe << 8) | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${w.map((n) => n.toString(16)).join(':')}`;
};
const macOf = async (ns: string) => (await sb.ipJson<Array<{ address: string }>>(['link', 'show', 'eth0'], ns))[0]!.address;

t.before(async () => {
  const ok = async (args: string[]) => t.equal((await sb.cli(args)).code, 0, args.join(' '));
  await ok(['network', 'create', 'lan', '--subnet', '10.212.5.0/24']);
  await ok(['network', 'create', 'lani', '--subnet', '10.212.6.0/24', '--no-icc']);
  for (const c of [victim, rogue, control]) await ok(['container', 'create', c, '--network', 'lan']);
  for (const c of [x, y]) await ok(['container', 'create', c, '--network', 'lani']);
});

t.test('containers and host-side veths of an IPv4-only network have no IPv6; lo keeps it', async (t) => {
  for (const c of [victim, x]) {
    t.equal(await sysctl(c, 'net.ipv6.conf.eth0.disable_ipv6'), '1', `IPv6 is off on eth0 inside ${c}`);
    t.same(await v6(c, ['addr', 'show', 'dev', 'eth0']), [], `no IPv6 address on eth0 inside ${c}`);
    t.equal((await sb.ping(c, '127.0.0.1')).code, 0, `lo answers 127.0.0.1 inside ${c}`);
    t.equal((await sb.exec(c, ['ping', '-6', '-c', '1', '-W', '1', '::1'])).code, 0, `and ::1`);
  }
  const veths = (await sb.ipJson<Array<{ ifname: string; inet6_addr_gen_mode?: string }>>(['-d', 'link', 'show', 'type', 'veth'])).filter((l) => l.ifname.startsWith('nv-'));
  t.equal(veths.length, 5, 'five host-side veths');
  for (const l of veths) {
    t.equal(l.inet6_addr_gen_mode, 'none', `${l.ifname}: no IPv6 address is ever generated on the bridge port`);
    t.same(await v6(sb.host, ['addr', 'show', 'dev', l.ifname]), [], `${l.ifname}: no IPv6 address`);
  }
});

t.test("a neighbour's router advertisement gives the victim no address and no default route", async (t) => {
  await armed(rogue);
  // The control turns IPv6 back on for itself (as a user might by hand): it proves that the
  // advertisement is sent and delivered, so the victim's silence below means something.
  t.equal((await sb.exec(control, ['sysctl', '-qw', 'net.ipv6.conf.eth0.disable_ipv6=0'])).code, 0, 'the control container turns IPv6 on');
  const sent = await sb.exec(rogue, ['python3', '-c', RA, 'eth0', PREFIX]);
  t.equal(sent.code, 0, `the rogue sends router advertisements for ${PREFIX}/64 ${sent.stderr}`);
  let got: string[] = [];
  for (let i = 0; i < 30 && !got.length; i++) {
    got = await globals(control);
    if (!got.length) await new Promise((r) => setTimeout(r, 100));
  }
  t.match(got.join(), '2001:db8:bad:0:', 'the control, with IPv6 on, took an address from it');
  t.same(await defaults(control), ['default via fe80::bad dev eth0'], 'and a default route via the rogue');
  t.same(await globals(victim), [], 'the victim has no IPv6 global address');
  t.same(await defaults(victim), [], 'and no IPv6 default route');
  t.same(await globals(sb.host), [], 'nor does the host (its bridge and veths)');
  t.same(await defaults(sb.host), [], 'no IPv6 default route on the host either');
});

t.test('--no-icc: link-local IPv6 between two containers does not pass', async (t) => {
  await armed(x);
  const target = linkLocalOf(await macOf(y));
  const r = await sb.exec(x, ['ping', '-6', '-c', '1', '-w', '4', `${target}%eth0`]);
  t.not(r.code, 0, `${x} -> ${y} at ${target}: no answer (${r.stdout.split('\n').find((l) => l.includes('received')) ?? ''})`);
  t.not((await sb.ping(x, '10.212.6.3')).code, 0, 'and IPv4 stays blocked');
});

t.test('check names IPv6 turned back on inside a container; repair turns it off', async (t) => {
  await sb.exec(victim, ['sysctl', '-qw', 'net.ipv6.conf.eth0.disable_ipv6=0']);
  const check = await sb.cli(['check']);
  t.equal(check.code, 1, 'drift');
  t.match(check.stdout, `IPv6 is on for eth0 inside ${victim}`, 'named');
  const repair = await sb.cli(['check', '--repair']);
  t.equal(repair.code, 0, 'repair', { stdout: repair.stdout, stderr: repair.stderr });
  t.equal(await sysctl(victim, 'net.ipv6.conf.eth0.disable_ipv6'), '1', 'off again');
  t.same(await v6(victim, ['addr', 'show', 'dev', 'eth0']), [], 'and its link-local address is gone with it');
});
