// Isolation between networks, ICC off (with the bridge netfilter switch it needs) and internal
// networks: traffic that must pass passes, traffic that must not does not.
import t from 'tap';
import { HOST_IP, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('is');
t.teardown(() => sb.down());
const NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const nf = async () => (await sb.exec(sb.host, ['cat', NF])).stdout.trim();
const setNf = (v: string) => sb.exec(sb.host, ['sysctl', '-qw', `net.bridge.bridge-nf-call-iptables=${v}`]);
const [a1, a2, b1, c1, c2, i1, i2] = ['a1', 'a2', 'b1', 'c1', 'c2', 'i1', 'i2'].map((n) => sb.name(n));

t.before(async () => {
  await sb.startWorldServer();
  // Start from a host where bridged frames skip iptables, so the engine has to turn it on.
  await setNf('0');
  const ok = async (args: string[]) => t.equal((await sb.cli(args)).code, 0, args.join(' '));
  await ok(['network', 'create', 'neta', '--subnet', '10.210.1.0/24']);
  await ok(['network', 'create', 'netb', '--subnet', '10.210.2.0/24']);
  for (const [c, n] of [[a1, 'neta'], [a2, 'neta'], [b1, 'netb']] as const) await ok(['container', 'create', c, '--network', n]);
});

t.test('networks are isolated from each other; each still reaches the world through NAT', async (t) => {
  t.equal((await sb.ping(a1, '10.210.1.3')).code, 0, 'a1 -> a2, same network');
  t.not((await sb.ping(a1, '10.210.2.2')).code, 0, 'a1 -> b1, other network: dropped');
  t.not((await sb.ping(b1, '10.210.1.2')).code, 0, 'b1 -> a1: dropped');
  t.equal((await sb.tcpFrom(a1)).stdout.trim(), HOST_IP, 'a1 -> world, seen as the host (MASQUERADE)');
  t.equal((await sb.tcpFrom(b1)).stdout.trim(), HOST_IP, 'b1 -> world, seen as the host');
  const rules = await sb.iptables();
  t.match(rules, `-A NSLAB-ISOLATION-2 -o nslab-neta -m comment --comment "nslab:${sb.lab()}:net=neta" -j DROP`);
  t.match(rules, `-A NSLAB-ISOLATION-1 -i nslab-netb ! -o nslab-netb -m comment --comment "nslab:${sb.lab()}:net=netb" -j NSLAB-ISOLATION-2`);
});

t.test('ICC off blocks container to container, once bridged traffic meets iptables', async (t) => {
  t.equal(await nf(), '0', 'the sandbox starts with bridge-nf-call-iptables=0');
  const r = await sb.cli(['network', 'create', 'netc', '--subnet', '10.210.3.0/24', '--no-icc']);
  t.equal(r.code, 0);
  t.match(r.stderr, /note: network netc has ICC off, so bridged traffic now passes through iptables \(net\.bridge\.bridge-nf-call-iptables=1/, 'says so');
  t.equal(await nf(), '1', 'turned on');
  for (const c of [c1, c2]) t.equal((await sb.cli(['container', 'create', c, '--network', 'netc'])).code, 0);
  t.not((await sb.ping(c1, '10.210.3.3')).code, 0, 'c1 -> c2: blocked');
  t.not((await sb.tcpFrom(c1, '10.210.3.3', 9)).code, 0, 'c1 -> c2 TCP: blocked');
  t.equal((await sb.ping(c1, '10.210.3.1')).code, 0, 'c1 -> its gateway (the host): allowed');
  t.equal((await sb.tcpFrom(c1)).stdout.trim(), HOST_IP, 'c1 -> world: allowed');
  t.equal((await sb.ping(a1, '10.210.1.3')).code, 0, 'ICC on (neta) still passes with bridge netfilter on');
  // What Docker users met for years: without the switch the DROP rule never sees the frames.
  await setNf('0');
  t.equal((await sb.ping(c1, '10.210.3.3')).code, 0, 'with bridge-nf-call-iptables=0 the same DROP does nothing');
  await setNf('1');
  t.not((await sb.ping(c1, '10.210.3.3')).code, 0, 'and blocks again once it is on');
});

t.test('internal network: no route out, forwarding out dropped, the host still reachable', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'neti', '--subnet', '10.210.4.0/24', '--internal'])).code, 0);
  for (const c of [i1, i2]) t.equal((await sb.cli(['container', 'create', c, '--network', 'neti'])).code, 0);
  t.equal((await sb.ping(i1, '10.210.4.3')).code, 0, 'i1 -> i2');
  t.equal((await sb.ping(i1, '10.210.4.1')).code, 0, 'i1 -> the host (gateway address), e.g. for DNS');
  const routes = await sb.ipJson<Array<{ dst: string }>>(['route', 'show'], i1);
  t.same(routes.map((r) => r.dst), ['10.210.4.0/24'], 'no default route inside');
  t.not((await sb.tcpFrom(i1)).code, 0, 'i1 -> world: no route');
  await sb.exec(i1, ['ip', 'route', 'add', 'default', 'via', '10.210.4.1']);
  t.not((await sb.tcpFrom(i1)).code, 0, 'i1 -> world with a default route added by hand: still dropped');
  t.not((await sb.ping(i1, '10.210.1.2')).code, 0, 'i1 -> a1 on another network: dropped');
  t.notMatch(await sb.iptables(), /10\.210\.4\.0\/24.*MASQUERADE/, 'no MASQUERADE for the internal subnet');
});

t.test('each kind of network created and removed twice leaves the ruleset and links as before', async (t) => {
  const kinds: Array<[string, string[]]> = [
    ['plain', []], ['no-icc', ['--no-icc']], ['internal', ['--internal']], ['no-masquerade', ['--no-masquerade']],
    ['docker -o', ['-o', 'com.docker.network.bridge.enable_icc=false', '-o', 'com.docker.network.driver.mtu=1400']],
  ];
  const state = async () => ({ iptables: await sb.iptables(), links: (await sb.snapshot()).links });
  for (const [kind, flags] of kinds) {
    const before = await state();
    for (let round = 1; round <= 2; round++) {
      const create = ['network', 'create', 'tmp', '--subnet', '10.210.9.0/24', ...flags];
      t.equal((await sb.cli(create)).code, 0, `${kind}: create (round ${round})`);
      t.equal((await sb.cli(create)).code, 0, `${kind}: create again changes nothing`);
      t.equal((await sb.cli(['network', 'rm', 'tmp'])).code, 0);
      t.equal((await sb.cli(['network', 'rm', 'tmp'])).code, 0, `${kind}: rm again is fine`);
      t.same(await state(), before, `${kind}, round ${round}: iptables-save and links as before`);
    }
  }
});
