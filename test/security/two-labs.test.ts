// Two labs (two state directories) in one host: whatever lab A runs — gc, container rm,
// network rm of its last network, reset — leaves lab B's namespaces, /etc/netns entries,
// links, rules and the shared NSLAB chains exactly as they were, and B keeps working.
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, HOST_IP, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kdt');
const dirB = mkdtempSync(join(tmpdir(), 'nslab-kdtb-'));
sb.own({ stateDir: dirB });
/** Lab B: the same CLI in the same fake host, with its own state directory. */
const cliB = async (args: string[]) => {
  const r = await execa('nsenter', [`--net=/run/netns/${sb.host}`, 'node', CLI, '--state-dir', dirB, '--socket', join(dirB, 'nslabd.sock'), ...args], { reject: false, env: { LC_ALL: 'C' } });
  return { code: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
};
t.teardown(async () => {
  await cliB(['reset']);
  rmSync(dirB, { recursive: true, force: true });
  await sb.down();
});
const [a1, a2, b1, b2] = ['a1', 'a2', 'b1', 'b2'].map((n) => sb.name(n));
const labB = () => readFileSync(join(dirB, 'lab-id'), 'utf8').trim();

/** Everything of lab B's, byte for byte: rules (and the shared chains), links, namespaces, files. */
async function viewOfB(): Promise<Record<string, unknown>> {
  const lines = (await sb.iptables()).split('\n').filter((l) => /nslab/i.test(l) && !l.includes(`nslab:${sb.lab()}:`));
  const links = (await sb.ipJson(['-d', 'link', 'show'])).filter((l: any) => String(l.ifalias ?? '').includes(labB()))
    .map((l: any) => ({ ifname: l.ifname, kind: l.linkinfo?.info_kind, master: l.master, address: l.address, alias: l.ifalias, flags: l.flags }));
  const inside: Record<string, unknown> = {};
  const files: Record<string, string> = {};
  for (const c of [b1, b2]) {
    inside[c] = { links: (await sb.ipJson(['link', 'show'], c)).map((l: any) => [l.ifname, l.address, l.flags]), addrs: await sb.ipJson(['-4', 'addr', 'show'], c) };
    for (const f of ['resolv.conf', 'hosts']) files[`${c}/${f}`] = readFileSync(`/etc/netns/${c}/${f}`, 'utf8');
  }
  return { lines, links, inside, files, netns: readdirSync('/run/netns').filter((n) => n.startsWith(sb.tag + 'b')).sort() };
}

t.before(async () => {
  await sb.startWorldServer();
  const ok = async (r: Promise<{ code: number; stderr: string }>, what: string) => t.equal((await r).code, 0, what);
  await ok(sb.cli(['network', 'create', 'neta', '--subnet', '10.231.0.0/24']), 'A: network create neta');
  await ok(cliB(['network', 'create', 'netb', '--subnet', '10.232.0.0/24']), 'B: network create netb');
  for (const c of [a1, a2]) await ok(sb.cli(['container', 'create', c, '--network', 'neta']), `A: create ${c}`);
  for (const c of [b1, b2]) await ok(cliB(['container', 'create', c, '--network', 'netb']), `B: create ${c}`);
});

t.test('the labs have distinct ids, in every mark, and stay isolated from each other', async (t) => {
  t.not(sb.lab(), labB(), 'two state directories, two lab ids');
  const br = (await sb.ipJson(['-d', 'link', 'show', 'nslab-netb']))[0] as any;
  t.equal(br.ifalias, `nslab:${labB()}:network:netb`);
  t.match(readFileSync(`/etc/netns/${b1}/hosts`, 'utf8'), new RegExp(`^# nslab: managed by nslab for container ${b1} \\(host net:\\[\\d+\\], lab ${labB()}\\)\\n`));
  t.equal(JSON.parse(readFileSync(join(dirB, 'state.json'), 'utf8')).labId, labB(), 'state.json records the lab id too');
  t.not((await sb.ping(a1, '10.232.0.2')).code, 0, 'A -> B dropped (their isolation rules share the chains)');
  t.not((await sb.ping(b1, '10.231.0.2')).code, 0, 'B -> A dropped');
  t.equal((await sb.cli(['check'])).code, 0, "A's check: B's objects are not A's unrecorded ones");
  t.equal((await cliB(['check'])).code, 0, "B's check");
});

t.test("lab A's gc, rm, network rm and reset leave lab B byte-identical", async (t) => {
  const before = await viewOfB();
  const gc = await sb.cli(['gc']);
  t.equal(gc.code, 0);
  t.notMatch(gc.stdout, /kdtb|netb/, "A's gc names nothing of B's");
  t.same(await viewOfB(), before, 'after A: gc');
  t.equal((await sb.cli(['container', 'rm', a1, a2])).code, 0);
  t.same(await viewOfB(), before, 'after A: container rm');
  t.equal((await sb.cli(['network', 'rm', 'neta'])).code, 0, "A: network rm of its last network");
  t.same(await viewOfB(), before, 'after A: network rm (the shared chains stay while B has rules in them)');
  t.equal((await sb.cli(['network', 'create', 'neta', '--subnet', '10.231.0.0/24'])).code, 0);
  t.equal((await sb.cli(['container', 'create', a1, '--network', 'neta'])).code, 0);
  t.equal((await sb.cli(['reset'])).code, 0, 'A: reset');
  t.same(await viewOfB(), before, 'after A: reset');
  t.notMatch(await sb.iptables(), `nslab:${sb.lab()}:`, "A's own rules are gone");
  t.same(readdirSync('/run/netns').filter((n) => n.startsWith(sb.tag + 'a')), [], "A's namespaces are gone");
});

t.test('B still works: its containers answer and reach the world through NAT', async (t) => {
  t.equal((await sb.ping(b1, '10.232.0.3')).code, 0, 'b1 -> b2');
  t.equal((await sb.ping(b1, '10.232.0.1')).code, 0, 'b1 -> its gateway');
  t.equal((await sb.tcpFrom(b1)).stdout.trim(), HOST_IP, 'b1 -> world, seen as the host (MASQUERADE)');
  t.equal((await cliB(['check'])).code, 0, "B's check finds nothing missing");
});

t.test("B's reset then removes the shared chains", async (t) => {
  t.equal((await cliB(['reset'])).code, 0);
  t.notMatch(await sb.iptables(), /NSLAB|nslab/, 'no nslab chain, jump or rule left');
  t.same(readdirSync('/run/netns').filter((n) => n.startsWith(sb.tag)), [], 'no namespace of either lab');
});
