// Best-effort removal: every op runs past a failure (batch lines too), absence is success.
import t from 'tap';
import { applyAll } from '../../../src/engine/teardown.js';
import { step } from '../../../src/engine/step.js';
import { ip } from '../../../src/exec/command.js';
import { delLink } from '../../../src/kernel/link.js';
import { FakeRunner } from '../../helpers/fake-runner.js';

const steps = () => [
  step('a/netns', 'delete netns a', 'drop-netns', [ip(['netns', 'del', 'a'])]),
  step('b/netns', 'delete netns b', 'drop-netns', [ip(['netns', 'del', 'b'])]),
  step('a/files', 'remove files a', 'drop-files', [{ kind: 'rm', path: '/etc/netns/a' }]),
  step('n/bridge', 'delete bridge br', 'drop-bridges', [delLink('br')]),
];

t.test('all succeed: one batch, no failures', async (t) => {
  const r = new FakeRunner();
  t.same(await applyAll(steps(), { runner: r }), []);
  t.same(r.lines(), ['ip -batch - <<netns del a | netns del b', 'rm /etc/netns/a', 'ip link del br']);
});

t.test('a failing batch line is reported and the lines after it still run', async (t) => {
  // ip -batch stops at line 1; the applier runs line 2 on its own, then the rest.
  const r = new FakeRunner({}, (c) => (c.stdin?.startsWith('netns del a') ? { stderr: 'Cannot remove namespace file "/run/netns/a": Device or resource busy\nCommand failed -:1' } : undefined));
  const failed = await applyAll(steps(), { runner: r });
  t.same(failed.map((f) => f.step.id), ['a/netns']);
  t.match(failed[0]!.error.message, /failed to delete netns a: .*Device or resource busy/);
  t.same(r.lines().slice(1), ['ip netns del b', 'rm /etc/netns/a', 'ip link del br']);
});

t.test('an injected fault skips that op only; absence is success', async (t) => {
  const r = new FakeRunner({}, (c) => (c.args.includes('br') ? { stderr: 'Cannot find device "br"' } : undefined));
  const failed = await applyAll(steps(), { runner: r, faultAt: 2 });
  t.same(failed.map((f) => f.step.id), ['b/netns']);
  t.match(failed[0]!.error.message, /injected fault before: ip netns del b/);
  t.same(r.lines(), ['ip netns del a', 'rm /etc/netns/a', 'ip link del br']);
});

t.test('a failing file op is reported and the rest goes on', async (t) => {
  const r = new FakeRunner();
  r.file = async (op) => {
    if (op.kind === 'rm') throw new Error('EBUSY');
    r.ran.push(op);
  };
  const failed = await applyAll(steps(), { runner: r });
  t.same(failed.map((f) => f.step.id), ['a/files']);
  t.same(r.lines().at(-1), 'ip link del br');
});

t.test('a fault in the middle of a batch splits it: the lines before and after still run', async (t) => {
  const r = new FakeRunner();
  const plan = ['a', 'b', 'c'].map((n) => step(`${n}/netns`, `delete netns ${n}`, 'drop-netns', [ip(['netns', 'del', n])]));
  const failed = await applyAll(plan, { runner: r, faultAt: 2 });
  t.same(failed.map((f) => f.step.id), ['b/netns']);
  t.same(r.lines(), ['ip netns del a', 'ip netns del c']);
  t.same(await applyAll(plan, { runner: new FakeRunner(), faultAt: 4 }), [], 'a fault past the end injects nothing');
});

t.test('progress: once per unit, after it is done, failures included (down and rm show it as up does)', async (t) => {
  const seen: string[] = [];
  const r = new FakeRunner({}, (c) => (c.args.includes('br') ? { stderr: 'RTNETLINK answers: Operation not permitted' } : undefined));
  const failed = await applyAll(steps(), { runner: r, onProgress: (done, total) => seen.push(`${done}/${total}`) });
  t.equal(failed.length, 1);
  t.same(seen, ['1/3', '2/3', '3/3']);
});
