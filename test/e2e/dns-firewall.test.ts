// The host's INPUT with policy DROP: DNS from an nslab network to its gateway still gets to
// nslabd (udp and tcp 53), and nothing else does; the rules are in --dry-run, check and reset.
import t from 'tap';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('dnc');
t.teardown(async () => {
  await sb.exec(sb.host, ['iptables', '-P', 'INPUT', 'ACCEPT']);
  await sb.down();
});
const GW = '10.234.0.1';
const c = sb.name('c');
const dig = async (...q: string[]) => (await sb.exec(c, ['dig', '+tries=1', '+time=2', `@${GW}`, '+short', ...q])).stdout.trim();

t.test('--dry-run shows the DNS rules of a network with what they are for', async (t) => {
  const r = await sb.cli(['--dry-run', 'network', 'create', 'lab', '--subnet', '10.234.0.0/24']);
  t.match(r.stdout, /# accept DNS \(udp and tcp 53\) from \S+ to the gateway 10\.234\.0\.1/);
  t.match(r.stdout, /-I INPUT 1 -m comment --comment nslab -j NSLAB-INPUT/);
});

t.test('INPUT policy DROP: DNS to the gateway passes, nothing else of the host is reachable', async (t) => {
  await sb.startDaemon();
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.234.0.0/24'])).code, 0);
  t.equal((await sb.cli(['container', 'create', c, '--network', 'lab'])).code, 0);
  await sb.startServer(sb.host, GW, 8080);
  t.equal((await sb.tcpFrom(c, GW, 8080)).code, 0, 'before: a TCP port of the host answers');
  t.equal((await sb.exec(sb.host, ['iptables', '-P', 'INPUT', 'DROP'])).code, 0);
  const ip = await dig(c);
  t.match(ip, /^10\.234\.0\.\d+$/, 'UDP DNS to the gateway is answered');
  t.equal(await dig('+tcp', c), ip, 'TCP DNS too');
  t.not((await sb.tcpFrom(c, GW, 8080)).code, 0, 'the TCP server on the gateway is not reachable');
  t.not((await sb.ping(c, GW)).code, 0, 'nor does the host answer ping');
  const rules = await sb.iptables();
  t.match(rules, /-A INPUT -m comment --comment nslab -j NSLAB-INPUT/);
  t.equal(rules.match(/-A NSLAB-INPUT /g)?.length, 2, 'two rules: udp and tcp 53, from the bridge to the gateway');
});

t.test('check finds a deleted DNS rule, repair puts it back; reset removes the chain and its jump', async (t) => {
  const line = (await sb.iptables()).split('\n').find((l) => l.startsWith('-A NSLAB-INPUT') && l.includes('-p udp'))!;
  await sb.exec(sb.host, ['iptables', '-D', ...line.slice(3).split(' ').map((w) => w.replace(/^"|"$/g, ''))]);
  const check = await sb.cli(['check']);
  t.equal(check.code, 1);
  t.match(check.stdout + check.stderr, /DNS \(udp 53\) from \S+ to nslabd's server on 10\.234\.0\.1 is not accepted/);
  t.equal((await sb.cli(['check', '--repair'])).code, 0);
  t.equal((await sb.cli(['check'])).code, 0, 'repaired');
  await sb.stopServers();
  await sb.stopDaemon();
  t.equal((await sb.cli(['reset'])).code, 0);
  t.notMatch(await sb.iptables(), /NSLAB-INPUT/, 'no chain, no jump left');
});
