// Containers cannot spoof: a packet from a container leaves its network only with a source of
// that network (the raw-table drop per bridge), shown with packet counters where packets land.
import t from 'tap';
import { HOST_IP, WORLD_IP, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kes');
t.teardown(() => sb.down());
const [a1, b1] = ['a1', 'b1'].map((n) => sb.name(n)) as [string, string];
const SPOOF = '203.0.113.9'; // a documentation address, only ever inside this sandbox
const A_GW = '10.212.1.1', B1 = '10.212.2.2';

/** A counting rule (no target) in raw PREROUTING of a namespace of ours, labelled by a comment. */
const count = (ns: string, label: string, match: string[]) =>
  sb.exec(ns, ['iptables', '-t', 'raw', '-A', 'PREROUTING', ...match, '-m', 'comment', '--comment', label]);
async function counters(ns: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await sb.exec(ns, ['iptables-save', '-c', '-t', 'raw'])).stdout.matchAll(/^\[(\d+):\d+\] -A PREROUTING .*--comment (\S+)/gm)) {
    out[m[2]!] = Number(m[1]);
  }
  return out;
}
const inside = (ns: string, args: string[]) => sb.exec(ns, ['ip', ...args]);
const udp = (ns: string, ip: string, port = 9999) => sb.exec(ns, ['bash', '-c', `echo x > /dev/udp/${ip}/${port}`]);
// A spoofed SYN is never answered: the timeout is its whole cost. Generous, for a loaded machine.
const tcp = (ns: string, ip: string, port = 8080) => sb.exec(ns, ['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}`]);
const ping = (ns: string, ip: string) => sb.exec(ns, ['ping', '-c', '2', '-i', '0.2', '-W', '1', ip]);
/** Send UDP, a TCP SYN and pings from `ns` to `ip`, with whatever source its routes pick. */
const burst = async (ns: string, ip: string) => {
  await udp(ns, ip);
  await tcp(ns, ip);
  await ping(ns, ip);
};

t.before(async () => {
  await sb.startWorldServer();
  const ok = async (args: string[]) => t.equal((await sb.cli(args)).code, 0, args.join(' '));
  await ok(['network', 'create', 'neta', '--subnet', '10.212.1.0/24']);
  await ok(['network', 'create', 'netb', '--subnet', '10.212.2.0/24']);
  await ok(['container', 'create', a1, '--network', 'neta']);
  await ok(['container', 'create', b1, '--network', 'netb', '--ip', B1]);
  for (const proto of ['udp', 'tcp', 'icmp']) {
    await count(sb.world, `spoof-${proto}`, ['-s', SPOOF, '-p', proto]);
    await count(sb.world, `honest-${proto}`, ['-s', HOST_IP, '-p', proto]);
  }
  await count(b1, 'spoof', ['-s', SPOOF]);
  await count(b1, 'gateway', ['-s', '10.212.2.1']);
  await count(b1, 'world-reply', ['-s', WORLD_IP, '-p', 'icmp', '--icmp-type', 'echo-reply']);
});

t.test('to the world: the honest source arrives (NATed), a spoofed one never does', async (t) => {
  await burst(a1, WORLD_IP);
  t.equal((await sb.tcpFrom(a1)).stdout.trim(), HOST_IP, 'honest TCP: answered, seen as the host');
  const honest = await counters(sb.world);
  for (const p of ['udp', 'tcp', 'icmp']) t.ok(honest[`honest-${p}`]! > 0, `honest ${p} arrived in the world (${honest[`honest-${p}`]})`);

  t.equal((await inside(a1, ['addr', 'add', `${SPOOF}/32`, 'dev', 'eth0'])).code, 0, 'the container adds a foreign address to its eth0');
  t.equal((await inside(a1, ['route', 'add', WORLD_IP, 'via', A_GW, 'src', SPOOF])).code, 0, 'and makes it the source towards the world');
  await burst(a1, WORLD_IP);
  t.not((await sb.exec(a1, ['ping', '-c', '1', '-W', '1', '-I', SPOOF, WORLD_IP])).code, 0, 'ping -I 203.0.113.9: no answer');
  const after = await counters(sb.world);
  for (const p of ['udp', 'tcp', 'icmp']) {
    t.equal(after[`spoof-${p}`], 0, `nothing with source ${SPOOF} arrived in the world (${p})`);
    t.equal(after[`honest-${p}`], honest[`honest-${p}`], `nor anything NATed to the host's address (${p})`);
  }
  await inside(a1, ['route', 'del', WORLD_IP]);
  await inside(a1, ['addr', 'del', `${SPOOF}/32`, 'dev', 'eth0']);
});

t.test('to a container on another network: nothing with a spoofed source arrives', async (t) => {
  t.equal((await sb.ping(sb.host, B1)).code, 0, 'the host reaches b1 (honest source, its gateway)');
  t.ok((await counters(b1)).gateway! > 0, 'and b1 counted it: the counters see what arrives');
  await inside(a1, ['addr', 'add', `${SPOOF}/32`, 'dev', 'eth0']);
  await inside(a1, ['route', 'add', B1, 'via', A_GW, 'src', SPOOF]);
  await burst(a1, B1);
  t.equal((await counters(b1)).spoof, 0, `nothing with source ${SPOOF} arrived in b1`);
  await inside(a1, ['route', 'del', B1]);
  await inside(a1, ['addr', 'del', `${SPOOF}/32`, 'dev', 'eth0']);
});

t.test("another network's address as the source: the world's replies do not reach that network", async (t) => {
  t.equal((await sb.ping(b1, WORLD_IP)).code, 0, 'b1 pings the world itself');
  const before = (await counters(b1))['world-reply']!;
  t.ok(before > 0, `and the reply arrives (${before})`);
  // Without the check, MASQUERADE of netb rewrites a1's packet and conntrack sends the reply
  // into netb, across the isolation rules.
  await inside(a1, ['addr', 'add', `${B1}/32`, 'dev', 'eth0']);
  await inside(a1, ['route', 'add', WORLD_IP, 'via', A_GW, 'src', B1]);
  await ping(a1, WORLD_IP);
  t.equal((await counters(b1))['world-reply'], before, "no reply to a1's spoofed ping reached b1");
  await inside(a1, ['route', 'del', WORLD_IP]);
  await inside(a1, ['addr', 'del', `${B1}/32`, 'dev', 'eth0']);
});

t.test('the check is visible: dry-run shows it, check names it when missing, repair restores it', async (t) => {
  const dry = await sb.cli(['--dry-run', 'network', 'create', 'netc', '--subnet', '10.212.3.0/24']);
  t.equal(dry.code, 0);
  t.match(dry.stdout, '# drop packets from nslab-netc whose source is not in 10.212.3.0/24: containers cannot spoof', 'the lesson, as the comment');
  t.match(dry.stdout, `-A NSLAB-PREROUTING ! -s 10.212.3.0/24 -i nslab-netc -m comment --comment nslab:${sb.lab()}:net=netc -j DROP`, 'and the rule');
  const rule = ['-t', 'raw', '-D', 'NSLAB-PREROUTING', '-i', 'nslab-neta', '!', '-s', '10.212.1.0/24', '-m', 'comment', '--comment', `nslab:${sb.lab()}:net=neta`, '-j', 'DROP'];
  t.equal((await sb.exec(sb.host, ['iptables', ...rule])).code, 0, 'someone deletes the rule of neta');
  const check = await sb.cli(['check']);
  t.equal(check.code, 1, 'check: drift');
  t.match(check.stdout, 'packets from nslab-neta whose source is not in 10.212.1.0/24 are not dropped', 'named in the lab\'s words');
  const repair = await sb.cli(['check', '--repair']);
  t.equal(repair.code, 0, 'repair', { stdout: repair.stdout, stderr: repair.stderr });
  t.equal((await sb.cli(['check'])).code, 0, 'no drift left');
  t.equal((await sb.iptables()).split('\n').filter((l) => l.includes('-A NSLAB-PREROUTING ! -s 10.212.1.0/24 -i nslab-neta')).length, 1, 'restored once');
  await inside(a1, ['addr', 'add', `${SPOOF}/32`, 'dev', 'eth0']);
  await inside(a1, ['route', 'add', WORLD_IP, 'via', A_GW, 'src', SPOOF]);
  await burst(a1, WORLD_IP);
  const c = await counters(sb.world);
  t.same(['udp', 'tcp', 'icmp'].map((p) => c[`spoof-${p}`]), [0, 0, 0], 'spoofing is stopped again');
  await inside(a1, ['route', 'del', WORLD_IP]);
  await inside(a1, ['addr', 'del', `${SPOOF}/32`, 'dev', 'eth0']);
});
