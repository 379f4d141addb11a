// check FILE grades a lab typed by hand: the seed script with plain ip/iptables/sysctl in a sandbox,
// then one thing broken at a time (exactly that ✗, and its hint's command mends it), read-only.
import t from 'tap';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HOST_IP, sandbox, WORLD_IP, type RunResult } from '../helpers/sandbox.js';

const sb = await sandbox('gbh');
const [c4, c5] = [sb.name('c4'), sb.name('c5')];
// The student's names (the seed's brid4/veth4), tagged: the host ends live in the sandbox's host
// namespace, but namespaces and /etc/netns entries are machine-wide.
const br = 'gbbr0';
const brid = (n: number) => `gbbrid${n}`;
const veth = (n: number) => `gbveth${n}`;
const SUBNET = '10.237.0.0/24';
const GW = '10.237.0.1';

const dir = mkdtempSync(join(tmpdir(), 'nslab-grade-'));
const labFile = join(dir, 'lab.yaml');
writeFileSync(labFile, `# the seed lab, as the student was asked to build it
networks:
  lab:
    subnet: ${SUBNET}
    gateway: ${GW}
    bridge: ${br}
containers:
  ${c4}:
    network: lab
    ip: 10.237.0.4
    dns: [${WORLD_IP}]
  ${c5}:
    network: lab
    ip: 10.237.0.5
    dns: [${WORLD_IP}]
`);

async function run(file: string, args: string[]): Promise<RunResult> {
  const r = await execa(file, args, { reject: false, env: { LC_ALL: 'C' } });
  return { code: typeof r.exitCode === 'number' ? r.exitCode : 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A command typed in the fake host's shell (nsenter --net, as the student's root shell). */
async function hand(...argv: string[]): Promise<void> {
  const r = await run('nsenter', [`--net=/run/netns/${sb.host}`, ...argv]);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

/** A hint as a student would paste it: one shell line in the fake host. */
const shell = (line: string) => run('nsenter', [`--net=/run/netns/${sb.host}`, 'bash', '-c', line]);

/** Remove the hand-built containers (their namespaces and /etc/netns entries), by name. */
async function removeHandBuilt(): Promise<void> {
  for (const c of [c4, c5]) {
    await run('ip', ['netns', 'del', c]);
    rmSync(`/etc/netns/${c}`, { recursive: true, force: true });
  }
}

t.teardown(async () => {
  await removeHandBuilt();
  await sb.down();
  rmSync(dir, { recursive: true, force: true });
});

/** The seed script, typed by hand (tagged names, a world nameserver instead of 8.8.8.8). */
async function buildByHand(): Promise<void> {
  await hand('ip', 'link', 'add', br, 'type', 'bridge');
  await hand('ip', 'link', 'set', br, 'up');
  await hand('ip', 'addr', 'add', `${GW}/24`, 'brd', '10.237.0.255', 'dev', br);
  await hand('iptables', '--policy', 'FORWARD', 'ACCEPT');
  for (const [n, c] of [[4, c4], [5, c5]] as const) {
    await hand('ip', 'netns', 'add', c);
    await hand('ip', 'link', 'add', brid(n), 'type', 'veth', 'peer', 'name', veth(n));
    await hand('ip', 'link', 'set', veth(n), 'netns', c);
    await hand('ip', 'netns', 'exec', c, 'ip', 'a', 'add', `10.237.0.${n}/24`, 'dev', veth(n));
    await hand('ip', 'netns', 'exec', c, 'ip', 'link', 'set', 'dev', 'lo', 'up');
    await hand('ip', 'netns', 'exec', c, 'ip', 'link', 'set', 'dev', veth(n), 'up');
    await hand('ip', 'link', 'set', brid(n), 'master', br);
    await hand('ip', 'link', 'set', 'dev', brid(n), 'up');
    await hand('ip', 'netns', 'exec', c, 'ip', 'route', 'add', 'default', 'via', GW);
  }
  await hand('sysctl', '-w', 'net.ipv4.ip_forward=1');
  await hand('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', SUBNET, '-j', 'MASQUERADE');
  for (const c of [c4, c5]) {
    mkdirSync(`/etc/netns/${c}`, { recursive: true });
    writeFileSync(`/etc/netns/${c}/resolv.conf`, `nameserver ${WORLD_IP}\n`);
  }
}

interface Finding { object: string; id: string; check: string; ok: boolean; found: string; hint: string | null }

async function grade(): Promise<{ code: number; findings: Finding[]; stderr: string }> {
  const r = await sb.cli(['--json', 'check', labFile]);
  return { code: r.code, findings: r.stdout ? (JSON.parse(r.stdout) as Finding[]) : [], stderr: r.stderr };
}
const failures = (fs: Finding[]) => fs.filter((f) => !f.ok).map((f) => `${f.object}: ${f.id}`);

/** Everything check could touch: the sandbox's snapshot plus inside both containers and their files. */
async function everything(): Promise<unknown> {
  const inside = async (c: string) => ({
    links: (await sb.ipJson(['-d', 'link', 'show'], c)).map((l: any) => [l.ifname, l.flags, l.master]),
    addrs: (await sb.ipJson(['addr', 'show'], c)).map((a: any) => [a.ifname, a.addr_info.map((i: any) => `${i.local}/${i.prefixlen}`)]),
    routes: await sb.ipJson(['route', 'show'], c),
    resolv: (() => { try { return readFileSync(`/etc/netns/${c}/resolv.conf`, 'utf8'); } catch { return null; } })(),
  });
  return { host: await sb.snapshot(), c4: await inside(c4), c5: await inside(c5) };
}

await buildByHand();

t.test('the hand-built lab works: container to container, and to the world through NAT', async (t) => {
  t.equal((await sb.ping(c4, '10.237.0.5')).code, 0, 'c4 -> c5 over the bridge');
  await sb.startWorldServer();
  const r = await sb.tcpFrom(c5);
  t.equal(r.stdout.trim(), HOST_IP, 'the world sees the host address (MASQUERADE)');
  await sb.stopServers();
});

t.test('check FILE passes the lab typed by hand, matched by topology, and changes nothing', async (t) => {
  const before = await everything();
  const text = await sb.cli(['check', labFile]);
  t.equal(text.code, 0, text.stdout + text.stderr);
  t.notMatch(text.stdout, /✗/);
  t.match(text.stdout, `✓ network lab: a bridge holds ${GW}/24`);
  t.match(text.stdout, `✓ container ${c5}: ${veth(5)} is attached to ${br}`);
  t.match(text.stdout, `✓ container ${c4}: default route via ${GW}`);
  t.match(text.stdout, `✓ network lab: nat POSTROUTING masquerades ${SUBNET}`);
  t.match(text.stdout, /check: the lab matches .* \(\d+ checks\)/);
  const g = await grade();
  t.equal(g.code, 0);
  t.same(failures(g.findings), []);
  const ids = new Set(g.findings.map((f) => `${f.object}: ${f.id}`));
  for (const want of ['host: ip-forward', 'network lab: bridge', 'network lab: bridge-name', 'network lab: bridge-up', 'network lab: forward', 'network lab: masquerade',
    ...[c4, c5].flatMap((c) => ['namespace', 'lo-up', 'address', 'link-up', 'attached', 'host-end-up', 'default-route', 'resolv.conf', 'dns'].map((i) => `container ${c}: ${i}`))]) {
    t.ok(ids.has(want), `graded: ${want}`);
  }
  t.ok(g.findings.every((f) => Object.keys(f).sort().join() === 'check,found,hint,id,object,ok'), 'the JSON shape an autograder reads');
  t.same(await everything(), before, 'kernel, rules and files exactly as before');
});

t.test('check FILE works the same while nslabd runs (it only reads, in-process)', async (t) => {
  await sb.startDaemon();
  const g = await grade();
  t.equal(g.code, 0, g.stderr);
  t.same(failures(g.findings), []);
  await sb.stopDaemon();
});

t.test('check without FILE still compares the records (none here) with the kernel', async (t) => {
  const r = await sb.cli(['check']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, 'check: the kernel matches the records');
});

// Each break: what to do, the one ✗ it must cause, and what its hint must say.
const breaks: Array<{ name: string; breakIt: () => Promise<void>; want: string; hint: RegExp }> = [
  { name: `no default route in ${c5}`, breakIt: () => hand('ip', 'netns', 'exec', c5, 'ip', 'route', 'del', 'default'),
    want: `container ${c5}: default-route`, hint: new RegExp(`^ip netns exec ${c5} ip route add default via 10\\.237\\.0\\.1$`) },
  { name: `${brid(5)} not on the bridge`, breakIt: () => hand('ip', 'link', 'set', brid(5), 'nomaster'),
    want: `container ${c5}: attached`, hint: new RegExp(`^ip link set ${brid(5)} master ${br}$`) },
  { name: `${veth(5)} down`, breakIt: () => hand('ip', 'netns', 'exec', c5, 'ip', 'link', 'set', veth(5), 'down'),
    want: `container ${c5}: link-up`, hint: new RegExp(`^ip netns exec ${c5} ip link set dev ${veth(5)} up; ip netns exec ${c5} ip route add default via 10\\.237\\.0\\.1$`) },
  { name: 'MASQUERADE missing', breakIt: () => hand('iptables', '-t', 'nat', '-D', 'POSTROUTING', '-s', SUBNET, '-j', 'MASQUERADE'),
    want: 'network lab: masquerade', hint: new RegExp(`^iptables -t nat -A POSTROUTING -s 10\\.237\\.0\\.0/24 ! -o ${br} -j MASQUERADE$`) },
  { name: 'FORWARD policy DROP', breakIt: () => hand('iptables', '--policy', 'FORWARD', 'DROP'),
    want: 'network lab: forward', hint: /^iptables --policy FORWARD ACCEPT$/ },
  { name: 'ip_forward 0', breakIt: () => hand('sysctl', '-w', 'net.ipv4.ip_forward=0'),
    want: 'host: ip-forward', hint: /^sysctl -w net\.ipv4\.ip_forward=1$/ },
  { name: `${veth(5)} given /16 instead of /24`, breakIt: async () => {
    await hand('ip', 'netns', 'exec', c5, 'ip', 'addr', 'del', '10.237.0.5/24', 'dev', veth(5));
    await hand('ip', 'netns', 'exec', c5, 'ip', 'addr', 'add', '10.237.0.5/16', 'dev', veth(5));
    await hand('ip', 'netns', 'exec', c5, 'ip', 'route', 'add', 'default', 'via', GW);
  }, want: `container ${c5}: address`, hint: new RegExp(`^ip netns exec ${c5} ip addr del 10\\.237\\.0\\.5/16 dev ${veth(5)}; .* ip route replace default via 10\\.237\\.0\\.1 dev ${veth(5)}$`) },
  { name: 'resolv.conf missing', breakIt: async () => rmSync(`/etc/netns/${c5}/resolv.conf`),
    want: `container ${c5}: resolv.conf`, hint: new RegExp(`^mkdir -p /etc/netns/${c5} && printf 'nameserver 198\\.51\\.100\\.2\\\\n' > /etc/netns/${c5}/resolv.conf$`) },
];

for (const b of breaks) {
  t.test(`broken: ${b.name} — exactly that ✗, and its hint mends it`, async (t) => {
    await b.breakIt();
    const snap = await everything();
    const g = await grade();
    t.equal(g.code, 1, 'exit 1');
    t.same(failures(g.findings), [b.want], 'exactly the one expected ✗');
    const bad = g.findings.find((f) => !f.ok)!;
    t.match(bad.hint, b.hint, 'the hint names the command, in the student\'s names');
    const text = await sb.cli(['check', labFile]);
    t.equal(text.code, 1);
    t.equal(text.stdout.split('\n').filter((l) => l.startsWith('✗')).length, 1, 'one ✗ line');
    t.match(text.stdout, `✗ ${bad.object}: ${bad.check} — found: ${bad.found} — fix: ${bad.hint}`);
    t.same(await everything(), snap, 'grading changed nothing');
    const fixed = await shell(bad.hint!);
    t.equal(fixed.code, 0, `the hint runs: ${fixed.stderr}`);
    const again = await grade();
    t.equal(again.code, 0, `passes again after the hint: ${failures(again.findings).join(', ')}`);
  });
}

t.test('a lab file that cannot be graded: exit 2, one line naming the field; --repair with FILE: exit 2', async (t) => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, readFileSync(labFile, 'utf8').replace('ip: 10.237.0.5', 'ip: 10.9.0.5'));
  const r = await sb.cli(['check', bad]);
  t.equal(r.code, 2);
  // The lab file's own error: file, line and path, then the count.
  t.match(r.stderr, new RegExp(`^${bad.replace(/[.]/g, '\\.')}:\\d+: containers\\.${c5}\\.ip: 10\\.9\\.0\\.5 is not in network lab \\(10\\.237\\.0\\.0/24\\)\nnslab: .*bad\\.yaml: 1 problem; nothing was changed$`));
  writeFileSync(bad, 'networks: [');
  t.equal((await sb.cli(['check', bad])).code, 2, 'not YAML');
  t.equal((await sb.cli(['check', join(dir, 'missing.yaml')])).code, 2, 'no such file');
  const repair = await sb.cli(['check', '--repair', labFile]);
  t.equal(repair.code, 2);
  t.match(repair.stderr, /^nslab: repair: check FILE only reads/);
});

t.test('a missing namespace is one ✗, nothing else of that container reported', async (t) => {
  await run('ip', ['netns', 'del', c5]);
  const g = await grade();
  t.equal(g.code, 1);
  t.same(failures(g.findings), [`container ${c5}: namespace`]);
  t.equal(g.findings.filter((f) => f.object === `container ${c5}`).length, 1);
});

t.test('the same lab built by nslab itself passes check FILE', async (t) => {
  await removeHandBuilt();
  await hand('ip', 'link', 'del', br);
  await hand('iptables', '-t', 'nat', '-F', 'POSTROUTING');
  // Docker's FORWARD policy: nslab's own ACCEPT rules must count as forwarding.
  await hand('iptables', '--policy', 'FORWARD', 'DROP');
  const up = await sb.cli(['up', labFile]);
  t.equal(up.code, 0, up.stderr);
  const g = await grade();
  t.equal(g.code, 0, failures(g.findings).join(', '));
  t.match(g.findings.find((f) => f.id === 'forward')!.found, new RegExp(`^-i ${br} `), 'forwarded by an ACCEPT of the bridge\'s traffic');
  await hand('iptables', '--policy', 'FORWARD', 'ACCEPT');
  t.ok(g.findings.some((f) => f.id === 'attached' && /nv-/.test(f.found)), 'nslab\'s own veth names are matched by topology too');
  t.equal((await sb.cli(['down', labFile])).code, 0);
});

t.test('from nothing, the hints alone lead to a passing lab (each round runs every ✗\'s fix)', async (t) => {
  let g = await grade();
  t.equal(g.code, 1);
  t.same(failures(g.findings), ['network lab: bridge', `container ${c4}: namespace`, `container ${c5}: namespace`], 'nothing built: the network and the two namespaces, nothing more');
  let rounds = 0;
  while (g.code === 1 && rounds < 4) {
    rounds++;
    for (const f of g.findings.filter((x) => !x.ok)) {
      const r = await shell(f.hint!);
      t.equal(r.code, 0, `round ${rounds}: ${f.hint}: ${r.stderr}`);
    }
    g = await grade();
  }
  t.equal(g.code, 0, `passes after ${rounds} rounds of fixes: ${failures(g.findings).join(', ')}`);
  t.ok(rounds <= 3, `${rounds} rounds`);
  t.equal((await sb.ping(c4, '10.237.0.5')).code, 0, 'and the lab the hints built works');
});
