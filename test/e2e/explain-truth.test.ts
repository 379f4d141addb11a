// explain is true: a lab built by nslab, reset, then built again by running `nslab explain` with
// bash in the same fake host, is the same kernel state; `explain --teardown` leaves nothing, twice.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { labSnapshot } from '../helpers/kernel-snapshot.js';
import { sandbox, WORLD_IP } from '../helpers/sandbox.js';

const sb = await sandbox('xat');
t.teardown(() => sb.down());
const [A, B] = [sb.name('na'), sb.name('nb')];
const [c1, c2, c3, h, n, s] = ['c1', 'c2', 'c3', 'h', 'n', 's'].map((x) => sb.name(x));
const own = [c1, c2, c3, n];
const named = [c1, c2, c3, h, n, s];
const before = await sb.snapshot();
const dir = mkdtempSync(join(tmpdir(), 'nslab-xat-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const ok = async (args: string[]) => {
  const r = await sb.cli(args);
  if (r.code !== 0) throw new Error(`nslab ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
};

/** A sandbox snapshot but ip_forward, which stays on once a lab turned it on (nslab's removals and Docker's alike). */
const lessForward = ({ forward, ...rest }: Record<string, unknown>) => (void forward, rest);

/** Run a script with bash inside the fake host, as a student would (`sudo bash lab.sh`). */
async function runScript(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = await execa('nsenter', [`--net=/run/netns/${sb.host}`, 'bash', file], { reject: false, env: { LC_ALL: 'C' } });
  return { code: r.exitCode, stderr: String(r.stderr) };
}

// Every feature that exists: two bridge networks (one with ICC off), ports (tcp, udp, one on
// 127.0.0.1), a network made between two containers, a second network by connect, aliases, links, extra hosts, DNS settings, the modes.
await ok(['network', 'create', A, '--subnet', '10.231.0.0/24']);
await ok(['container', 'create', c1, '--network', A, '-p', '8080:80', '-p', '127.0.0.1:8081:81', '-p', '5300:53/udp', '--alias', 'web',
  '--dns', WORLD_IP, '--dns-search', 'lab.example', '--dns-option', 'ndots:2', '--hostname', 'one']);
// Made after c1 published: its rules follow c1's in the shared chains, and the script keeps that order.
await ok(['network', 'create', B, '--subnet', '10.232.0.0/24', '--no-icc']);
await ok(['container', 'create', c2, '--network', A, '--link', `${c1}:db`, '--add-host', 'gw:10.231.0.1', '--dns', WORLD_IP, '-p', '9090:90']);
await ok(['container', 'create', c3, '--network', B, '--dns', WORLD_IP]);
await ok(['network', 'connect', B, c2, '--alias', 'two']);
await ok(['container', 'create', h, '--network', 'host']);
await ok(['container', 'create', n, '--network', 'none', '--dns', WORLD_IP]);
await ok(['container', 'create', s, '--network', `container:${c1}`]);
const built = await labSnapshot(sb, own, named);
const script = await ok(['explain']);
const teardown = await ok(['explain', '--teardown']);

t.test('the script reads as a lesson: bash, a comment before every step, the lab\'s objects', async (t) => {
  t.match(script, /^#!\/bin\/bash\n/);
  t.match(script, /\nset -euo pipefail\n/);
  for (const block of script.split('\n\n').slice(1)) t.match(block, /^# /, 'each step under its comment');
  for (const x of [`ip link add nslab-${A}`, `ip netns add ${c1}`, `ip netns attach ${h} $$`, `mount --bind /run/netns/${c1} /run/netns/${s}`, 'route_localnet=1', `/etc/netns/${n}/resolv.conf`]) t.ok(script.includes(x), x);
  t.match(script, /nslabd's DNS server/, 'what no command builds is said');
  t.equal(built.identity[s], c1, 'container mode shares c1\'s namespace');
  t.equal(built.identity[h], 'host', 'host mode names the host\'s own');
});

t.test('an unknown name: exit 2, one line naming it; through nslabd: the same script', async (t) => {
  const r = await sb.cli(['explain', c1, 'xatnosuch']);
  t.equal(r.code, 2, 'exit 2');
  t.equal(r.stderr, 'nslab: name: no network or container named "xatnosuch" is recorded', "one line");
  t.equal(r.stdout, '', 'no script');
  await sb.startDaemon();
  t.equal((await sb.cli(['explain'])).stdout, script, 'read through nslabd, planned alike');
  const part = await sb.cli(['explain', c3]);
  t.equal(part.code, 0, part.stderr);
  t.ok(part.stdout.includes(`ip netns add ${c3}`) && part.stdout.includes(`nslab-${B}`) && !part.stdout.includes(c1), 'a named container with its network, nothing else');
  await sb.stopDaemon();
});

t.test('reset, then the script by hand: the same kernel, object by object', async (t) => {
  await ok(['reset']);
  rmSync(join(sb.stateDir, 'state.json'), { force: true }); // the engine forgets the lab (its lab id stays: the marks name it)
  t.same(lessForward(await sb.snapshot()), lessForward(before), 'reset left nothing of the lab');
  const r = await runScript('lab.sh', script);
  t.equal(r.code, 0, `the script runs: ${r.stderr}`);
  const again = await labSnapshot(sb, own, named);
  for (const k of Object.keys(built) as Array<keyof typeof built>) t.same(again[k], built[k], `${k}: as nslab built it`);
});

t.test('the teardown script leaves nothing of the lab, and runs twice', async (t) => {
  rmSync(join(sb.stateDir, 'state.json'), { force: true });
  const first = await runScript('undo.sh', teardown);
  t.equal(first.code, 0, first.stderr);
  t.same(lessForward(await sb.snapshot()), lessForward(before), 'no nslab link, namespace, rule or /etc/netns entry is left');
  const second = await runScript('undo.sh', teardown);
  t.equal(second.code, 0, `a second run succeeds: ${second.stderr}`);
});
