// Marks of the release before lab ids (nslab:network:NAME, nslab:endpoint:C:ethN,
// nslab:net=NAME, a marker line without "lab"): on objects this lab's records name they are
// recognised and `check --repair` re-marks them; unrecorded ones are reported, never removed.
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kdo');
const c1 = sb.name('c1');
const stray = sb.name('z'); // an old-format /etc/netns entry no record names
const inHost = (cmd: string[], input?: string) => execa('nsenter', [`--net=/run/netns/${sb.host}`, ...cmd], { input });
t.teardown(async () => {
  rmSync(`/etc/netns/${stray}`, { recursive: true, force: true });
  await sb.down();
});

const alias = async (dev: string) => ((await sb.ipJson(['-d', 'link', 'show', dev]))[0] as any).ifalias;
const firstLine = (f: string) => readFileSync(`/etc/netns/${c1}/${f}`, 'utf8').split('\n')[0];

t.before(async () => {
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.237.0.0/24'])).code, 0);
  t.equal((await sb.cli(['container', 'create', c1, '--network', 'lab'])).code, 0);
});

t.test('objects of this lab carrying the old marks are recognised and re-marked', async (t) => {
  const lab = sb.lab();
  const rulesBefore = (await sb.iptables()).split('\n').filter((l) => l.includes('nslab')).sort();
  const markerBefore = firstLine('hosts');
  // Rewrite every mark the way the previous release wrote it.
  await inHost(['ip', 'link', 'set', 'nslab-lab', 'alias', 'nslab:network:lab']);
  await inHost(['ip', 'link', 'set', `nv-${c1}-0`, 'alias', `nslab:endpoint:${c1}:eth0`]);
  for (const f of ['resolv.conf', 'hosts']) {
    const p = `/etc/netns/${c1}/${f}`;
    writeFileSync(p, readFileSync(p, 'utf8').replace(`, lab ${lab})`, ')'));
  }
  const saved = (await inHost(['iptables-save'])).stdout;
  await inHost(['iptables-restore'], saved.replaceAll(`nslab:${lab}:net=`, 'nslab:net='));
  t.match(await sb.iptables(), '--comment "nslab:net=lab"', 'the rules carry the old comment');
  t.notMatch(await sb.iptables(), `nslab:${lab}:net=`);

  const check = await sb.cli(['check']);
  t.equal(check.code, 1, 'check: drift');
  t.match(check.stdout, "bridge nslab-lab carries the previous release's alias");
  t.match(check.stdout, `veth nv-${c1}-0 carries the previous release's alias`);
  t.match(check.stdout, /\d+ rule\(s\) carry the previous release's comment/);
  t.notMatch(check.stdout, /conflict|unrecorded/, 'neither a conflict nor unrecorded: they are ours');
  t.equal((await sb.cli(['gc'])).code, 0);
  t.equal(await alias('nslab-lab'), 'nslab:network:lab', 'gc left the recorded bridge alone');

  const repair = await sb.cli(['check', '--repair']);
  t.equal(repair.code, 0, 'check --repair re-marks them');
  t.equal(await alias('nslab-lab'), `nslab:${lab}:network:lab`, 'bridge re-marked');
  t.equal(await alias(`nv-${c1}-0`), `nslab:${lab}:endpoint:${c1}:eth0`, 'veth re-marked');
  t.equal(firstLine('hosts'), markerBefore, 'hosts re-marked');
  t.equal(firstLine('resolv.conf'), markerBefore, 'resolv.conf re-marked');
  t.same((await sb.iptables()).split('\n').filter((l) => l.includes('nslab')).sort(), rulesBefore, 'rules re-commented, the old copies gone, none doubled');
  t.equal((await sb.ping(c1, '10.237.0.1')).code, 0, 'the container still works');
  t.equal((await sb.cli(['check'])).code, 0);
});

t.test('unrecorded objects with old marks are reported by gc and reset, never removed', async (t) => {
  const tag = (await inHost(['readlink', '/proc/self/ns/net'])).stdout.trim();
  mkdirSync(`/etc/netns/${stray}`);
  writeFileSync(`/etc/netns/${stray}/hosts`, `# nslab: managed by nslab for container ${stray} (host ${tag})\n127.0.0.1\tlocalhost\n`);
  await inHost(['ip', 'link', 'add', 'nslab-old', 'type', 'bridge']);
  await inHost(['ip', 'link', 'set', 'nslab-old', 'alias', 'nslab:network:old']);
  await inHost(['iptables', '-A', 'NSLAB-FORWARD', '-i', 'nslab-old', '-m', 'comment', '--comment', 'nslab:net=old', '-j', 'ACCEPT']);

  const gc = await sb.cli(['gc']);
  t.equal(gc.code, 0);
  t.match(gc.stdout, `not touched: /etc/netns/${stray} carries the mark of an nslab release before lab ids`);
  t.match(gc.stdout, 'not touched: link nslab-old carries the mark of an nslab release before lab ids');
  t.match(gc.stdout, /not touched: rule -t filter -A NSLAB-FORWARD -i nslab-old .*nslab:net=old/);
  t.notMatch(gc.stdout, /^removed/m, 'gc removed nothing');
  t.equal((await sb.cli(['check'])).code, 0, "check: not this lab's, not its drift");

  t.equal((await sb.cli(['reset'])).code, 0);
  t.ok(existsSync(`/etc/netns/${stray}/hosts`), 'reset left the old entry');
  t.equal(await alias('nslab-old'), 'nslab:network:old', 'reset left the old bridge');
  t.match(await sb.iptables(), '-A NSLAB-FORWARD -i nslab-old -m comment --comment "nslab:net=old" -j ACCEPT', 'and its rule, so the shared chains stay');
  t.notOk(existsSync(`/etc/netns/${c1}`), "reset removed this lab's container");
  await inHost(['ip', 'link', 'del', 'nslab-old']);
  await inHost(['iptables', '-D', 'NSLAB-FORWARD', '-i', 'nslab-old', '-m', 'comment', '--comment', 'nslab:net=old', '-j', 'ACCEPT']);
});
