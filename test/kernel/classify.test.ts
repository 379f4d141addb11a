// Pins the kernel's answers that nslab depends on: error classification and two surprises.
import t from 'tap';
import { ExecaRunner } from '../../src/exec/runner.js';
import { classify } from '../../src/exec/outcome.js';
import { ip, type Command } from '../../src/exec/command.js';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('cl');
t.teardown(() => sb.down());
const runner = new ExecaRunner();
const inHost = (cmd: Command): Command => ({ ...cmd, file: 'ip', args: ['netns', 'exec', sb.host, cmd.file, ...cmd.args] });
const ipt = (args: string[]): Command => inHost({ kind: 'cmd', file: 'iptables', args: ['--wait', ...args], mutates: true });
const run = async (cmd: Command) => runner.run(cmd);
const kind = async (cmd: Command) => {
  const o = await run(cmd);
  return o.exitCode === 0 ? 'ok' : classify(o);
};
const ns = sb.name('x');

t.test('exists / not-found, as the kernel and tools say them', async (t) => {
  t.equal(await kind(ip(['netns', 'add', ns])), 'ok');
  t.equal(await kind(ip(['netns', 'add', ns])), 'exists', 'netns add twice');
  t.equal(await kind(ip(['netns', 'del', ns])), 'ok');
  t.equal(await kind(ip(['netns', 'del', ns])), 'not-found', 'netns del twice');
  t.equal(await kind(ip(['link', 'add', 'd0', 'type', 'bridge'], { netns: sb.host })), 'ok');
  t.equal(await kind(ip(['link', 'add', 'd0', 'type', 'bridge'], { netns: sb.host })), 'exists', 'link add twice');
  t.equal(await kind(ip(['addr', 'add', '10.9.0.1/24', 'dev', 'd0'], { netns: sb.host })), 'ok');
  t.equal(await kind(ip(['addr', 'add', '10.9.0.1/24', 'dev', 'd0'], { netns: sb.host })), 'exists', 'addr add twice');
  t.equal(await kind(ip(['addr', 'del', '10.9.0.1/24', 'dev', 'd0'], { netns: sb.host })), 'ok');
  t.equal(await kind(ip(['addr', 'del', '10.9.0.1/24', 'dev', 'd0'], { netns: sb.host })), 'not-found', 'addr del twice');
  t.equal(await kind(ip(['link', 'del', 'd0'], { netns: sb.host })), 'ok');
  t.equal(await kind(ip(['link', 'del', 'd0'], { netns: sb.host })), 'not-found', 'link del twice');
  t.equal(await kind(ipt(['-t', 'nat', '-N', 'NSLT-X'])), 'ok');
  t.equal(await kind(ipt(['-t', 'nat', '-N', 'NSLT-X'])), 'exists', 'iptables -N twice');
  t.equal(await kind(ipt(['-t', 'nat', '-D', 'NSLT-X', '-j', 'RETURN'])), 'not-found', 'iptables -D of a missing rule');
  t.equal(await kind(ipt(['-t', 'nat', '-X', 'NSLT-X'])), 'ok');
  t.equal(await kind(ipt(['-t', 'nat', '-X', 'NSLT-X'])), 'not-found', 'iptables -X twice');
  t.equal(await kind(inHost({ kind: 'cmd', file: 'conntrack', args: ['-D', '-p', 'udp', '--orig-port-dst', '9'], mutates: true })), 'not-found', 'conntrack -D matching no flow (exit 1, "0 flow entries have been deleted")');
});

t.test('the kernel ignores an alias given to `ip link add`: it must be set afterwards', async (t) => {
  await run(ip(['link', 'add', 'd1', 'alias', 'given-at-add', 'type', 'bridge'], { netns: sb.host }));
  let l = (await sb.ipJson(['link', 'show', 'd1']))[0] as any;
  t.equal(l.ifalias, undefined);
  await run(ip(['link', 'set', 'd1', 'alias', 'set-after'], { netns: sb.host }));
  l = (await sb.ipJson(['link', 'show', 'd1']))[0] as any;
  t.equal(l.ifalias, 'set-after');
  await run(ip(['link', 'del', 'd1'], { netns: sb.host }));
});

t.test('iptables-restore --noflush flushes a chain it re-declares (why NSLAB-USER is never declared twice)', async (t) => {
  await run(ipt(['-N', 'NSLT-U']));
  await run(ipt(['-A', 'NSLT-U', '-s', '192.0.2.1', '-j', 'RETURN']));
  await run(inHost({ kind: 'cmd', file: 'iptables-restore', args: ['--wait', '--noflush'], stdin: '*filter\n:NSLT-U - [0:0]\nCOMMIT\n', mutates: true }));
  t.notMatch(await sb.iptables(), /-A NSLT-U /);
  await run(ipt(['-X', 'NSLT-U']));
});
