// Names that are JavaScript object keys (constructor, __proto__, toString, …) are only names:
// against every verb that takes a name, in-process and through nslabd, an unknown one behaves
// like any absent name, a valid one makes a network of that name, and the host is as before.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox, type RunResult } from '../helpers/sandbox.js';

type Tap = typeof t;

const NAMES = Object.getOwnPropertyNames(Object.prototype);
/** What the name validator accepts (SPEC §3); the others get its usual exit-2 line. */
const valid = (n: string) => n.length <= 15 && /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(n);
const VALID = NAMES.filter(valid);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const sb = await sandbox('kfp');
t.teardown(() => sb.down());
const dir = mkdtempSync(join(tmpdir(), 'nslab-kfp-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// A real lab, so that a flush of nslab's chains or a deleted veth would show in the snapshot.
// One network only: removing "the last network" is what used to flush every chain.
const LAB = 'kflab';
const ctr = sb.name('c');
const other = sb.name('x');
let before: Record<string, unknown> = {};
t.before(async () => {
  for (const args of [['network', 'create', LAB, '--subnet', '10.231.0.0/24'], ['container', 'create', ctr, '--network', LAB]]) {
    const r = await sb.cli(args);
    if (r.code !== 0) throw new Error(`nslab ${args.join(' ')}: ${r.stderr}`);
  }
  before = await sb.snapshot();
  if (!/NSLAB/.test(String(before.iptables))) throw new Error('the lab has no rules');
});

interface Case {
  args: string[];
  code: number;
  /** stderr, whole (a regexp) */
  err?: RegExp;
  /** stdout: exactly this string, or matching */
  out?: string | RegExp;
}

const ok = (args: string[], out: string | RegExp = ''): Case => ({ args, code: 0, err: /^$/, out });
const refused = (args: string[], err: RegExp): Case => ({ args, code: 2, err, out: '' });
const noNet = (n: string) => new RegExp(`^nslab: network: no such network "${esc(n)}"$`);
const noCtr = (n: string) => new RegExp(`^nslab: container: no such container "${esc(n)}"$`);
/** The validator's line for an invalid name in `field`. */
const bad = (field: string, n: string) => new RegExp(`^nslab: ${field}: "${esc(n)}" [^\\n]*$`);
/** The same line for a name in a lab file (on line 2, under `section`), and the count. */
const badInFile = (file: string, section: string, n: string) =>
  new RegExp(`^${esc(file)}:2: ${section}\\.${esc(n)}: "${esc(n)}" [^\\n]*\\nnslab: ${esc(file)}: 1 problem; nothing was changed$`);

function labFile(tag: string, text: string): string {
  const f = join(dir, `${tag}.yaml`);
  writeFileSync(f, text);
  return f;
}

const REP = ['constructor', '__proto__', 'toString', 'propertyIsEnumerable']; // valid, "_", valid, too long
// The valid names only: a lab file naming an invalid one is refused as a whole (each name on its line).
const ALL_LAB = labFile('all', `networks:\n${VALID.map((n) => `  ${n}: {}\n`).join('')}containers:\n${VALID.map((n) => `  ${n}: {}\n`).join('')}`);

/**
 * Every verb that takes a name, with `n` where the name goes; none of them changes anything.
 * All twelve names go through the lookups by name; a representative four (REP) through the
 * other verbs, to keep the run short. `local`: also the verbs that never reach nslabd (dry-run, plan).
 */
function cases(n: string, i: number, local: boolean): Case[] {
  const v = valid(n);
  const out = [
    refused(['network', 'inspect', n], noNet(n)),
    refused(['container', 'inspect', n], noCtr(n)),
    refused(['network', 'connect', n, ctr], v ? noNet(n) : bad('network', n)),
  ];
  // Creates that may only plan here (/etc/netns/NAME is machine-wide: no real container of that name).
  if (local) out.push(v ? ok(['--dry-run', 'container', 'create', n, '--network', LAB], new RegExp(`netns add ${esc(n)}$`, 'm')) : refused(['--dry-run', 'container', 'create', n], bad('name', n)));
  if (!REP.includes(n)) return out;
  out.push(
    refused(['exec', n, '--', 'true'], noCtr(n)),
    refused(['network', 'connect', LAB, n], v ? noCtr(n) : bad('container', n)),
    refused(['network', 'disconnect', n, ctr], v ? noNet(n) : bad('network', n)),
    refused(['network', 'disconnect', LAB, n], v ? noCtr(n) : bad('container', n)),
    refused(['container', 'create', other, '--network', n], v ? noNet(n) : bad('network', n)),
    refused(['run', other, '--network', `container:${n}`],
      v ? new RegExp(`^nslab: network: no such container "${esc(n)}" to share a namespace with$`) : bad('network', n)),
    refused(['network', 'create', sb.name('o'), '-o', `${n}=x`], new RegExp(`^nslab: opt: unknown option "${esc(n)}" [^\\n]*$`)),
  );
  if (!local) return out;
  // Lab files with the name as a key (yaml makes "__proto__:" an own key, not the prototype).
  const netLab = labFile(`n${i}`, `networks:\n  ${n}:\n    subnet: 10.231.${100 + i}.0/24\n`);
  const ctrLab = labFile(`c${i}`, `containers:\n  ${n}:\n    network: ${LAB}\n`);
  out.push(
    v ? ok(['--dry-run', 'network', 'create', n, '--subnet', '10.231.200.0/24'], new RegExp(`nslab:[0-9a-f]{8}:network:${esc(n)}\\b`))
      : refused(['--dry-run', 'network', 'create', n, '--subnet', '10.231.200.0/24'], bad('name', n)),
    v ? ok(['plan', netLab], new RegExp(`^\\+ network ${esc(n)}: bridge \\S+, subnet 10\\.231\\.${100 + i}\\.0/24, `)) : refused(['up', netLab], badInFile(netLab, 'networks', n)),
    v ? ok(['--dry-run', 'up', ctrLab], new RegExp(`netns add ${esc(n)}$`, 'm')) : refused(['plan', ctrLab], badInFile(ctrLab, 'containers', n)),
  );
  return out;
}

/** Removes take many names at once: all twelve in one call, each absent, so nothing to do. */
function removals(local: boolean): Case[] {
  const out = [
    ok(['network', 'rm', ...NAMES]),
    ok(['network', 'rm', '--force', ...NAMES]),
    ok(['container', 'rm', ...NAMES]),
    ok(['container', 'rm', '--force', ...NAMES]),
    ok(['down', ALL_LAB]),
  ];
  if (local) out.push(ok(['--dry-run', 'network', 'rm', ...NAMES]), ok(['--dry-run', 'container', 'rm', ...NAMES]));
  return out;
}

const table = (local: boolean) => [...NAMES.flatMap((n, i) => cases(n, i, local)), ...removals(local)];

/** Run `fn` over `items`, `width` at a time (one CLI process each: ~150 ms). */
async function pool<T, R>(items: readonly T[], width: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!);
  }));
  return out;
}

/** One line per case that did not behave; empty when all did. */
async function runTable(cases: readonly Case[]): Promise<string[]> {
  const results = await pool(cases, 4, (c) => sb.cli(c.args));
  const wrong: string[] = [];
  cases.forEach((c, i) => {
    const r = results[i] as RunResult;
    // In-process commands run side by side: one may say it waits for the other's lock.
    const stderr = r.stderr.split('\n').filter((l) => !l.includes('waiting for another nslab')).join('\n');
    const outOk = c.out === undefined || (typeof c.out === 'string' ? r.stdout === c.out : c.out.test(r.stdout));
    if (r.code !== c.code || (c.err && !c.err.test(stderr)) || !outOk || /\n\s+at /.test(r.stderr)) {
      wrong.push(`nslab ${c.args.join(' ')} → exit ${r.code} (want ${c.code}), stderr ${JSON.stringify(r.stderr.slice(0, 200))}, stdout ${JSON.stringify(r.stdout.slice(0, 120))}`);
    }
  });
  return wrong;
}

/**
 * Real networks named constructor, toString, …: planned, made by a lab file with a container on
 * all of them, inspected, connected to, refused while in use, removed, and removed again.
 */
async function realNetworks(t: Tap): Promise<void> {
  const y = sb.name('y');
  const subnet = (i: number) => `10.231.${10 + i}.0/24`;
  const file = labFile('valid', `networks:\n${VALID.map((n, i) => `  ${n}: { subnet: ${subnet(i)} }\n`).join('')}containers:\n  ${y}: { networks: [${VALID.join(', ')}] }\n`);
  const plan = new RegExp(`^${[...VALID.map((n, i) => `\\+ network ${n}: bridge \\S+, subnet ${esc(subnet(i))}, [^\\n]*`), `\\+ container ${y}: namespace ${y}; [^\\n]*`].join('\\n')}\\n\\nPlan: ${VALID.length + 1} to add, 0 to change, 0 to remove\\.$`);
  t.match(await sb.cli(['plan', file]), { code: 0, stdout: plan, stderr: '' }, 'plan: every name is new');
  const up = await sb.cli(['up', file]);
  t.equal(up.code, 0, `up: ${up.stderr}`);
  t.same(await sb.cli(['plan', file]), { code: 0, stdout: `No changes. The kernel matches ${file}.`, stderr: '' }, 'plan after up: every name exists');
  const views = JSON.parse((await sb.cli(['network', 'inspect', ...VALID])).stdout) as any[];
  t.same(views.map((v) => [v.Name, v.IPAM.Config[0].Subnet, Object.values(v.Containers).map((c: any) => c.Name)]), VALID.map((n, i) => [n, subnet(i), [y]]), 'inspect shows each, with its container');
  const nets = JSON.parse((await sb.cli(['container', 'inspect', y])).stdout)[0].NetworkSettings.Networks;
  t.same(Object.keys(nets), VALID, 'the container is on every one of them');
  t.same(VALID.map((n) => nets[n].IPAddress), VALID.map((_, i) => `10.231.${10 + i}.2`));
  const n0 = VALID[0]!; // constructor
  t.match(await sb.cli(['network', 'connect', n0, ctr]), { code: 0, stdout: `container ${ctr}: eth1 10.231.10.3/24` }, `connect ${n0}`);
  t.match(await sb.cli(['network', 'rm', n0]), { code: 2, stderr: `nslab: network ${n0} has containers attached (${ctr}, ${y}); remove them first` }, `rm ${n0} while in use: refused`);
  t.same(await sb.cli(['network', 'disconnect', n0, ctr]), { code: 0, stdout: `container ${ctr}: disconnected from ${n0}`, stderr: '' }, `disconnect ${n0}`);
  t.same(await sb.cli(['down', file]), { code: 0, stdout: [y, ...VALID].map((n) => `removed ${n}`).join('\n'), stderr: '' }, 'down removes each');
  for (const n of [n0]) {
    const create = ['network', 'create', n, '--subnet', '10.231.30.0/24'];
    t.match(await sb.cli(create), { code: 0, stdout: new RegExp(`^network ${n}: bridge nslab-\\S+, subnet 10.231.30.0/24, gateway 10.231.30.1$`) }, `network create ${n}`);
    t.same(await sb.cli(['network', 'rm', n]), { code: 0, stdout: n, stderr: '' }, `network rm ${n}`);
    t.same(await sb.cli(['network', 'rm', n]), { code: 0, stdout: '', stderr: '' }, `network rm ${n} again: nothing to do`);
  }
}

/** Aux-address names are the user's keys: all twelve reserve their address, __proto__ too. */
async function auxNames(t: Tap): Promise<void> {
  const net = sb.name('a');
  const aux = NAMES.flatMap((n, i) => ['--aux-address', `${n}=10.231.90.${2 + i}`]);
  const r = await sb.cli(['network', 'create', net, '--subnet', '10.231.90.0/24', ...aux]);
  t.equal(r.code, 0, r.stderr);
  const view = JSON.parse((await sb.cli(['network', 'inspect', net])).stdout)[0];
  t.same(view.IPAM.Config[0].AuxiliaryAddresses, Object.fromEntries(NAMES.map((n, i) => [n, `10.231.90.${2 + i}`])), 'inspect lists all twelve');
  const plan = await sb.cli(['--dry-run', 'container', 'create', sb.name('z'), '--network', net]);
  t.match(plan.stdout, `10.231.90.${2 + NAMES.length}/24`, 'a new container gets the first address after the twelve reserved ones');
  t.equal((await sb.cli(['network', 'rm', net])).code, 0);
}

function get(path: string): Promise<{ status: number; body: any }> {
  return new Promise((res, rej) => {
    request({ socketPath: sb.socket, path }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d)).on('end', () => res({ status: r.statusCode!, body: JSON.parse(body) }));
    }).on('error', rej).end();
  });
}

t.test(`in-process: ${NAMES.length} names against every verb, then real networks of those names`, async (t) => {
  const cases = table(true);
  t.same(await runTable(cases), [], `${cases.length} cases behave as for any absent name`);
  await realNetworks(t);
  await auxNames(t);
  t.equal((await sb.cli(['check'])).code, 0, 'check: the records and the kernel agree');
  t.same(await sb.snapshot(), before, 'links, addresses, routes, rules, namespaces and /etc/netns as before');
});

t.test('through nslabd: the same, and GET /v1/networks|containers/NAME answers 404', async (t) => {
  const d = await sb.startDaemon();
  const cases = table(false);
  t.same(await runTable(cases), [], `${cases.length} cases behave as for any absent name`);
  await realNetworks(t);
  await auxNames(t);
  const raw = await pool(NAMES.flatMap((n) => (['networks', 'containers'] as const).map((k) => [k, n] as const)), 6, async ([k, n]) => {
    const r = await get(`/v1/${k}/${encodeURIComponent(n)}`);
    const what = k === 'networks' ? 'network' : 'container';
    return r.status === 404 && r.body.error?.message === `${what}: no such ${what} "${n}"` && r.body.error.exitCode === 2 ? '' : `GET /v1/${k}/${n} → ${r.status} ${JSON.stringify(r.body)}`;
  });
  t.same(raw.filter(Boolean), [], `${raw.length} GETs: 404 "no such …"`);
  t.equal(d.exitCode, null, 'nslabd is still running');
  t.equal(sb.daemon?.pid, d.pid, 'the same nslabd');
  t.notMatch(sb.daemonLog, /is not iterable|TypeError|Cannot read prop/, 'and logged no crash of a request');
  await sb.stopDaemon();
  t.equal((await sb.cli(['check'])).code, 0, 'check: the records and the kernel agree');
  t.same(await sb.snapshot(), before, 'links, addresses, routes, rules, namespaces and /etc/netns as before');
});
