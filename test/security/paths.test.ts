// Never touch what is not ours: names read from state.json are checked like user input, a
// namespace without nslab's mark is never deleted, and nothing is written or removed through
// a symbolic link under /etc/netns.
import t from 'tap';
const tap = t;
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kcp');
const victims = mkdtempSync(join(tmpdir(), 'nslab-kcp-victim-'));
const victim = join(victims, 'victim');
const foreign = sb.name('for'); // a namespace made by hand, without nslab's mark
const [c1, c2, c3] = [sb.name('c1'), sb.name('c2'), sb.name('c3')];
t.teardown(async () => {
  await execa('ip', ['netns', 'del', foreign], { reject: false });
  for (const c of [c2, c3]) rmSync(`/etc/netns/${c}`, { force: true }); // the links this test made (not followed)
  await sb.down();
  rmSync(victims, { recursive: true, force: true });
});

const statePath = join(sb.stateDir, 'state.json');
const netnsList = async () => (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]);
const VICTIM = 'precious: not nslab\'s\n';

t.test('setup: a lab, a victim file, a foreign namespace', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.221.0.0/24'])).code, 0);
  t.equal((await sb.cli(['container', 'create', c1, '--network', 'lab'])).code, 0);
  writeFileSync(victim, VICTIM);
  await execa('ip', ['netns', 'add', foreign]);
});

/** state.json with two hand-made records: a path-like name and the foreign namespace's name. */
function plantRecords(): string {
  const s = JSON.parse(readFileSync(statePath, 'utf8'));
  const bad = `../..${victim}`; // /etc/netns/../../tmp/…/victim is the victim file
  const base = { ...s.containers[c1], mode: 'none', endpoints: [], request: { network: 'none' } };
  s.containers[bad] = { ...base, name: bad };
  s.containers[foreign] = { ...base, name: foreign };
  writeFileSync(statePath, JSON.stringify(s, null, 1));
  return bad;
}

const intact = async (t: Pick<typeof tap, 'equal' | 'ok' | 'notOk'>, what: string) => {
  t.equal(readFileSync(victim, 'utf8'), VICTIM, `${what}: the victim file is untouched`);
  t.ok((await netnsList()).includes(foreign), `${what}: the foreign namespace is still there`);
  t.notOk(existsSync(`/etc/netns/${foreign}`), `${what}: and no /etc/netns entry was made for it`);
};

t.test('records naming a path or a foreign namespace: check --repair, gc, rm, reset touch neither', async (t) => {
  const bad = plantRecords();
  const rep = await sb.cli(['check', '--repair']);
  t.match(rep.stderr, /the container record \W+\.\.\/\.\.\/tmp\/nslab-kcp-victim-\w+\/victim\W+ is invalid/, 'check --repair: names the bad record');
  t.match(rep.stdout, new RegExp(`namespace ${foreign} carries no nslab mark`), 'check --repair: reports the foreign namespace');
  t.equal(rep.code, 1, 'check --repair: exit 1 (a difference it will not repair)');
  await intact(t, 'check --repair');

  const gc = await sb.cli(['gc']);
  t.equal(gc.code, 0, gc.stderr);
  await intact(t, 'gc');

  const rm = await sb.cli(['container', 'rm', foreign]);
  t.equal(rm.code, 0, rm.stderr);
  t.match(rm.stderr, new RegExp(`container ${foreign}: the namespace or /etc/netns/${foreign} carries no nslab mark`), 'rm: says why it left it');
  await intact(t, 'rm of the foreign namespace\'s record');
  await sb.cli(['container', 'rm', bad]);
  await intact(t, 'rm of the path-like name');

  plantRecords();
  const reset = await sb.cli(['reset']);
  t.equal(reset.code, 0, reset.stderr);
  t.match(reset.stderr, /is invalid/, 'reset: names the bad record');
  t.match(reset.stderr, new RegExp(`${foreign}: the namespace or /etc/netns/${foreign} carries no nslab mark`), 'reset: says it left the foreign namespace');
  await intact(t, 'reset');
});

t.test('symbolic links under /etc/netns: check --repair and rm never follow them', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.221.0.0/24'])).code, 0, 'the lab again (reset removed it)');
  for (const c of [c2, c3]) t.equal((await sb.cli(['container', 'create', c, '--network', 'lab'])).code, 0);
  // c2: resolv.conf is a link to the victim file.
  rmSync(`/etc/netns/${c2}/resolv.conf`);
  symlinkSync(victim, `/etc/netns/${c2}/resolv.conf`);
  // c3: the whole directory is a link to a directory of ours holding marked copies.
  const dir = join(victims, 'dir');
  mkdirSync(dir);
  for (const f of ['resolv.conf', 'hosts']) writeFileSync(join(dir, f), readFileSync(`/etc/netns/${c3}/${f}`, 'utf8').replace(/\n.*$/s, '\nprecious\n'));
  const copies = () => ['resolv.conf', 'hosts'].map((f) => readFileSync(join(dir, f), 'utf8'));
  const before = copies();
  rmSync(`/etc/netns/${c3}`, { recursive: true });
  symlinkSync(dir, `/etc/netns/${c3}`);

  const rep = await sb.cli(['check', '--repair']);
  t.equal(rep.code, 1, 'check --repair: exit 1');
  t.match(rep.stdout, new RegExp(`/etc/netns/${c2}/resolv.conf is a symbolic link`), 'reports the linked file');
  t.match(rep.stdout, new RegExp(`namespace ${c3} carries no nslab mark`), 'a linked directory is no mark: reported, left alone');
  t.equal(readFileSync(victim, 'utf8'), VICTIM, 'the linked file\'s target is untouched');
  t.same(copies(), before, 'the linked directory\'s files are untouched');

  const rm = await sb.cli(['container', 'rm', c2, c3]);
  t.equal(rm.code, 0, rm.stderr);
  t.match(rm.stderr, new RegExp(`/etc/netns/${c2}/resolv.conf is a symbolic link`), 'rm: reports the link');
  t.equal(readFileSync(victim, 'utf8'), VICTIM, 'rm: the linked file\'s target is untouched');
  t.same(copies(), before, 'rm: the linked directory and its files are untouched');
  t.notOk(existsSync(`/etc/netns/${c2}`), `rm: /etc/netns/${c2} itself is gone`);
  // c3's namespace carried no valid mark, so it was left: remove it by hand, as a user would.
  await execa('ip', ['netns', 'del', c3]);
});
