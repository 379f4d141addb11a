// nslab trace in a sandbox: the inferred path for each kind of trip (one bridge, the world, a
// published port, two isolated networks, a hand-built namespace without a default route), in lab
// words; --probe proves MASQUERADE and DNAT with rules the kernel traced and leaves no rule behind.
import t from 'tap';
import { execa } from 'execa';
import { HOST_IP, sandbox, WORLD_IP } from '../helpers/sandbox.js';

const sb = await sandbox('trk');
const [a, b, c] = [sb.name('a'), sb.name('b'), sb.name('c')];
const [lab, other] = [sb.name('lab'), sb.name('oth')];
const broken = sb.name('bk');
const uplink = `${sb.tag}up`;

interface Hop { kind: string; at: string; text: string; tables?: Array<{ table: string; rules: Array<{ line: string; words: string; effect: string }>; verdict: string }> }
interface Result {
  hops: Hop[];
  outcome: { kind: string; text: string };
  reply: Hop[];
  packet: { src: string; dst: string };
  probe?: { commands: string[]; sent: string; hits: Array<{ table: string; chain: string; line?: string; words?: string }>; differences: string[]; cleanup: string };
}

const trace = async (...args: string[]): Promise<Result> => {
  const r = await sb.cli(['trace', '--json', ...args]);
  if (r.code !== 0) throw new Error(`trace ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Result;
};
const texts = (r: Result) => r.hops.map((h) => h.text).join('\n');
const words = (hops: Hop[]) => hops.flatMap((h) => (h.tables ?? []).flatMap((x) => x.rules.map((r) => r.words)));
const run = (file: string, args: string[]) => execa(file, args, { reject: false, env: { LC_ALL: 'C' } });

t.before(async () => {
  for (const args of [
    ['network', 'create', lab, '--subnet', '10.241.0.0/24'],
    ['network', 'create', other, '--subnet', '10.242.0.0/24'],
    ['run', a, '--network', lab],
    ['run', b, '--network', lab, '-p', '8080:80/tcp'],
    ['run', c, '--network', other],
  ]) {
    const r = await sb.cli(args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  // A lab built by hand: a namespace with a veth into the host and an address, but no default route.
  sb.own({ netns: broken });
  await run('ip', ['netns', 'add', broken]);
  await run('ip', ['-n', sb.host, 'link', 'add', `${sb.tag}bkh`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', broken]);
  await run('ip', ['-n', broken, 'addr', 'add', '10.243.0.2/24', 'dev', 'eth0']);
  await run('ip', ['-n', broken, 'link', 'set', 'eth0', 'up']);
  await run('ip', ['-n', sb.host, 'link', 'set', `${sb.tag}bkh`, 'up']);
});
t.teardown(async () => {
  await run('ip', ['netns', 'del', broken]);
  await sb.down();
});

t.test('container to container on one network: switched by the bridge, never routed by the host', async (t) => {
  const before = await sb.snapshot();
  const r = await trace(a, b);
  t.equal(r.outcome.kind, 'delivered', r.outcome.text);
  t.match(r.outcome.text, `delivered to ${b}`);
  t.match(texts(r), `veth pair: eth0 in ${a} ↔ nv-${a}-0 in the host, a port of bridge nslab-${lab} (network ${lab})`);
  t.match(texts(r), /next hop 10\.241\.0\.3 is on the same bridge: (forwarded to port|flooded)/);
  t.notOk(r.hops.some((h) => h.kind === 'route' && h.at === 'host'), 'no routing in the host');
  t.match(texts(r), /same bridge: no routing in the host; bridge-nf-call-iptables is 1/);
  t.ok(words(r.hops).includes(`accepted by NSLAB-FORWARD: containers of network ${lab} may talk to each other (icc)`));
  t.same(await sb.snapshot(), before, 'the trace changed nothing');
});

t.test('to the world: MASQUERADE named, and the reply un-NATed by conntrack', async (t) => {
  const r = await trace(a, 'world');
  t.equal(r.outcome.kind, 'left');
  t.ok(words(r.hops).includes(`MASQUERADE by nslab network ${lab}: leaves as the host's address on ${uplink} (${HOST_IP})`), words(r.hops).join('\n'));
  t.match(texts(r), `routing in the host: ${r.packet.dst} via ${WORLD_IP} dev ${uplink}`);
  t.match(r.reply.map((h) => h.text).join('\n'), `conntrack undoes the source NAT (MASQUERADE): destination ${HOST_IP} → 10.241.0.2`);
});

t.test('from the world to a published port: DNAT named, forwarded into the bridge to the container', async (t) => {
  const r = await trace('world', `${HOST_IP}:8080`);
  t.equal(r.outcome.kind, 'delivered', r.outcome.text);
  t.match(r.outcome.text, `delivered to ${b} (10.241.0.3:80)`);
  t.ok(words(r.hops).includes(`DNAT by nslab: the host's port 8080/tcp is published by container ${b} (network ${lab}): to 10.241.0.3:80`));
  t.ok(words(r.hops).includes(`accepted by NSLAB-FORWARD: new connections from outside to ${b}'s published port`));
  t.match(r.reply.map((h) => h.text).join('\n'), `conntrack undoes the DNAT: source 10.241.0.3:80 → ${HOST_IP}:8080`);
});

t.test('across two isolated networks: the DROP rule named', async (t) => {
  const r = await trace(a, c);
  t.equal(r.outcome.kind, 'dropped');
  t.equal(r.outcome.text, `dropped by NSLAB-ISOLATION: networks ${lab} and ${other} may not talk`);
  const drop = r.hops.flatMap((h) => h.tables ?? []).flatMap((x) => x.rules).at(-1)!;
  t.match(drop.line, `-A NSLAB-ISOLATION-2 -o nslab-${other}`);
  t.same(r.reply, [], 'no reply to a dropped packet');
});

t.test('ip_forward off in the (sandbox) host: the trace says so, not "no route"', async (t) => {
  const sysctl = (v: string) => run('nsenter', [`--net=/run/netns/${sb.host}`, 'sysctl', '-qw', `net.ipv4.ip_forward=${v}`]);
  t.equal((await sysctl('0')).exitCode, 0);
  try {
    for (const [from, to] of [[a, 'world'], ['world', `${HOST_IP}:8080`]] as const) {
      const r = await trace(from, to);
      t.equal(r.outcome.kind, 'dropped', `${from} → ${to}: ${r.outcome.text}`);
      t.equal(r.outcome.text, 'dropped: ip_forward is 0 in the host');
      t.match(texts(r), /ip_forward is 0: the host does not forward between interfaces.*sysctl -w net\.ipv4\.ip_forward=1/);
      t.notMatch(texts(r), /no route in the host/);
    }
  } finally {
    await sysctl('1');
  }
  t.equal((await trace(a, 'world')).outcome.kind, 'left', 'forwarding on again: the packet leaves');
});

t.test('a hand-built namespace without a default route: the trace stops at its route lookup', async (t) => {
  const r = await trace(broken, 'world');
  t.equal(r.outcome.kind, 'no-route');
  t.match(r.outcome.text, `no route: ${broken} cannot reach`);
  t.match(r.outcome.text, `no default route in ${broken}`);
  t.equal(r.hops.length, 1);
  const text = await sb.cli(['trace', broken, WORLD_IP]);
  t.equal(text.code, 0);
  t.match(text.stdout, `$ ip -n ${broken} -json route get ${WORLD_IP} from 10.243.0.2`, 'the text names the read the answer rests on');
});

t.test('bad input: exit 2, one line naming the argument, nothing changed', async (t) => {
  const before = await sb.snapshot();
  for (const [args, field] of [[[sb.name('nope'), b], 'src'], [[a, sb.name('nope')], 'dst'], [[a, `${b}:70000`], 'port'], [[a, `${b}:80/sctp`], 'proto'], [[a, '10.1.2'], 'dst'], [[a, `${WORLD_IP}:80/icmp`], 'port'], [['world', b, '--probe'], 'src']] as const) {
    const r = await sb.cli(['trace', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, new RegExp(`^nslab: ${field}: [^\\n]+$`), args.join(' '));
  }
  t.same(await sb.snapshot(), before);
});

t.test('--probe: MASQUERADE to the world and DNAT of a published port, proven by the kernel, no trace rule left', async (t) => {
  const before = await sb.iptables();
  const masq = await trace(a, WORLD_IP, '--probe');
  t.equal(masq.probe?.sent, 'ping: an echo reply came back');
  const hit = (r: Result, re: RegExp) => r.probe!.hits.some((h) => re.test(h.line ?? ''));
  t.ok(hit(masq, new RegExp(`-A NSLAB-POSTROUTING -s 10.241.0.0/24 ! -o nslab-${lab} .*-j MASQUERADE`)), 'the kernel traced the MASQUERADE rule');
  t.ok(masq.probe!.hits.some((h) => h.words === `MASQUERADE by nslab network ${lab}: leaves as the host's address on ${uplink}`));
  t.same(masq.probe!.differences, [], 'the probe hit what the trace inferred');
  t.match(masq.probe!.cleanup, /^removed the trace rule/);

  // From a container to the host's published port: DNAT in PREROUTING, back into the bridge (hairpin).
  await sb.startServer(b, '10.241.0.3', 80);
  const dnat = await trace(a, `${HOST_IP}:8080`, '--probe');
  t.equal(dnat.probe?.sent, 'tcp: connected');
  t.ok(hit(dnat, /-A NSLAB-DNAT -p tcp -m tcp --dport 8080 .*-j DNAT --to-destination 10\.241\.0\.3:80/), 'the kernel traced the DNAT rule');
  t.ok(dnat.probe!.hits.some((h) => h.words?.startsWith(`DNAT by nslab: the host's port 8080/tcp is published by container ${b}`)));
  t.same(dnat.probe!.differences, []);
  await sb.stopServers();

  // Every command the probe ran is printed, the rule's removal among them.
  t.ok(dnat.probe!.commands.some((l) => /^iptables --wait -t raw -D PREROUTING .*-j TRACE$/.test(l)));
  t.notMatch(await sb.iptables(), /TRACE|nslab-trace/, 'no trace rule left');
  t.equal(await sb.iptables(), before, 'the ruleset is as before');
});

t.test('--probe across isolated networks: the kernel traces the same DROP; the text shows it', async (t) => {
  const r = await sb.cli(['trace', a, c, '--probe']);
  t.equal(r.code, 0);
  t.match(r.stdout, 'sent: ping: no echo reply within 2 s');
  t.match(r.stdout, `→ dropped by NSLAB-ISOLATION: networks ${lab} and ${other} may not talk`);
  t.match(r.stdout, 'the probe hit the rules the trace inferred');
  t.notMatch(await sb.iptables(), /nslab-trace/);
});

t.test("gc removes the TRACE rule of a probe whose process died (SIGKILL), not a running probe's", async (t) => {
  // What a probe killed with SIGKILL leaves: its rule, naming a process that is gone.
  const gone = execa('true');
  await gone;
  const live = execa('bash', ['-c', 'exec -a nslab-probe-stand-in sleep 60'], { reject: false });
  t.teardown(() => live.kill('SIGKILL'));
  const rule = (pid: number) => ['-s', '10.241.0.2/32', '-d', '10.241.0.3/32', '-p', 'icmp', '-m', 'comment', '--comment', `nslab-trace:${pid}`, '-j', 'TRACE'];
  for (const pid of [gone.pid!, live.pid!]) t.equal((await run('ip', ['netns', 'exec', sb.host, 'iptables', '-t', 'raw', '-I', 'PREROUTING', '1', ...rule(pid)])).exitCode, 0);
  t.teardown(() => run('ip', ['netns', 'exec', sb.host, 'iptables', '-t', 'raw', '-D', 'PREROUTING', ...rule(live.pid!)]));

  const dry = await sb.cli(['--dry-run', 'gc']);
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, `-D PREROUTING -s 10.241.0.2/32 -d 10.241.0.3/32 -p icmp -m comment --comment nslab-trace:${gone.pid} -j TRACE`, '--dry-run prints the delete');
  t.match(await sb.iptables(), new RegExp(`--comment "?nslab-trace:${gone.pid}"? -j TRACE`), 'and changes nothing');

  const r = await sb.cli(['gc']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `(the TRACE rule of \`nslab trace --probe\` process ${gone.pid}, which is gone)`);
  const after = await sb.iptables();
  const ruleOf = (pid: number | undefined) => new RegExp(`--comment "?nslab-trace:${pid}"? -j TRACE`);
  t.notMatch(after, ruleOf(gone.pid), "the dead probe's rule is gone");
  t.match(after, ruleOf(live.pid), "a running probe's rule stays (it removes it itself)");
});
