// A run killed (-9) before its record was written leaves marked objects no record explains:
// `check` must list them as unrecorded (exit 1), never say the kernel matches the records,
// and `gc` must remove exactly them.
import t, { type Test } from 'tap';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kdu');
t.teardown(() => sb.down());
const c = sb.name('c1');

/** Does /etc/netns/NAME carry this lab's marker (a directory whose files are not yet written does not)? */
const markedEntry = (n: string) => ['hosts', 'resolv.conf'].some((f) => existsSync(`/etc/netns/${n}/${f}`) && readFileSync(`/etc/netns/${n}/${f}`, 'utf8').includes(`, lab ${sb.lab()})`));

/** This lab's marked objects: namespaces and /etc/netns entries of the test, links and rules carrying the lab id. */
async function marked(): Promise<{ netns: string[]; etc: string[]; links: string[]; rules: string[] }> {
  const mine = (names: string[]) => names.filter((n) => n.startsWith(sb.tag));
  return {
    netns: mine(existsSync('/run/netns') ? readdirSync('/run/netns') : []),
    etc: mine(existsSync('/etc/netns') ? readdirSync('/etc/netns') : []).filter((n) => markedEntry(n)),
    links: (await sb.ipJson(['-d', 'link', 'show'])).filter((l: any) => String(l.ifalias ?? '').startsWith(`nslab:${sb.lab()}:`)).map((l: any) => l.ifname),
    rules: (await sb.iptables()).split('\n').filter((l) => l.includes(`nslab:${sb.lab()}:`)),
  };
}

/**
 * Kill the CLI before op 1, 2, … of `args` until `enough` crashes left marked objects; after
 * each, check lists what is left and gc removes it. `recorded`: the links and rules of
 * recorded networks, which stay.
 */
async function crashPoints(t: Test, args: string[], recorded: { links: string[]; rules: string[] }, enough: number): Promise<number> {
  let listed = 0;
  for (let n = 1; n <= 40 && listed < enough; n++) {
    const r = await sb.cli(args, { NSLAB_CRASH_AT: String(n) });
    if (r.code === 0) return listed;
    // The intent file lets the next change undo a container create (crash.test); here the
    // marks alone must be enough, as they are for a network create, which has none.
    rmSync(join(sb.stateDir, 'intent.json'), { force: true });
    const left = await marked();
    left.links = left.links.filter((l) => !recorded.links.includes(l));
    left.rules = left.rules.filter((l) => !recorded.rules.includes(l));
    const check = await sb.cli(['check']);
    if (left.netns.length || left.etc.length || left.links.length || left.rules.length) {
      listed++;
      t.equal(check.code, 1, `crash at ${n}: check says the kernel does not match (exit 1)`);
      t.notMatch(check.stdout, /the kernel matches the records/, `crash at ${n}: never "matches"`);
      for (const x of [...left.netns.map((s) => `netns ${s}`), ...left.etc.map((s) => `/etc/netns/${s}`), ...left.links.map((s) => `link ${s}`)]) {
        t.match(check.stdout, `drift: unrecorded: ${x} carries this lab's mark but no record explains it`, `crash at ${n}: lists ${x}`);
      }
      if (left.rules.length) t.match(check.stdout, /drift: unrecorded: rule -t \S+ -A NSLAB-/, `crash at ${n}: lists the rules`);
    } else {
      t.equal(check.code, 0, `crash at ${n}: nothing marked was left, and check says so`);
    }
    const gc = await sb.cli(['gc']);
    t.equal(gc.code, 0, `crash at ${n}: gc`);
    // Killed between `ip link add` and `ip link set alias` (the kernel ignores an alias given
    // at creation): the bridge carries no mark, so gc only reports it; the test made it, and
    // deletes it by name.
    if ((await sb.ipJson(['-d', 'link', 'show'])).some((l: any) => l.ifname === 'nslab-lab' && !l.ifalias)) {
      t.match(gc.stdout, 'not touched: link nslab-lab (bridge) is named like nslab\'s but carries no nslab alias', `crash at ${n}: an unmarked bridge is reported, not removed`);
      await execa('ip', ['-n', sb.host, 'link', 'del', 'nslab-lab']);
    }
    // Killed between mkdir /etc/netns/NAME and the first file: an unmarked directory, which
    // gc leaves alone (and a later create refuses); the test made it, and removes it.
    if (existsSync(`/etc/netns/${c}`) && !markedEntry(c)) rmSync(`/etc/netns/${c}`, { recursive: true });
    const after = await marked();
    t.same(after, { netns: [], etc: [], links: [], ...recorded }, `crash at ${n}: gc removed every unrecorded marked object`);
    t.equal((await sb.cli(['check'])).code, 0, `crash at ${n}: check is clean after gc`);
  }
  return listed;
}

t.test('network create killed before its record', async (t) => {
  const listed = await crashPoints(t, ['network', 'create', 'lab', '--subnet', '10.236.0.0/24'], { links: [], rules: [] }, 2);
  t.equal(listed, 2, 'two crash points left a marked bridge and rules, each listed and collected');
});

t.test('container create killed before its record', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.236.0.0/24'])).code, 0);
  const listed = await crashPoints(t, ['container', 'create', c, '--network', 'lab'], await marked(), 3);
  t.equal(listed, 3, 'three crash points left marked objects (files, then the namespace), each listed and collected');
  t.equal((await sb.cli(['container', 'create', c, '--network', 'lab'])).code, 0, 'a create after gc succeeds');
  t.equal((await sb.ping(c, '10.236.0.1')).code, 0, 'and works');
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
});
