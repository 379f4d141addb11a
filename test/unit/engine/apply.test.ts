// The applier: batches, parallel namespaces, failure at a batch line, newest-first revert, fault injection.
import t from 'tap';
import { apply } from '../../../src/engine/apply.js';
import { step } from '../../../src/engine/step.js';
import { ip } from '../../../src/exec/command.js';
import { ApplyError } from '../../../src/errors.js';
import { FakeRunner } from '../../helpers/fake-runner.js';

const steps = () => [
  step('a/files', 'write files', 'files', [{ kind: 'mkdir', path: '/etc/netns/a' }], [{ kind: 'rm', path: '/etc/netns/a' }]),
  step('a/netns', 'create netns a', 'netns', [ip(['netns', 'add', 'a'])], [ip(['netns', 'del', 'a'])]),
  step('a/veth', 'create veth', 'links', [ip(['link', 'add', 'v']), ip(['link', 'set', 'v', 'alias', 'x'])], [ip(['link', 'del', 'v'])]),
  step('a/conf', 'configure a', 'inside', [ip(['link', 'set', 'lo', 'up'], { netns: 'a' })]),
];

t.test('success: host ops share one batch; files are written before it starts', async (t) => {
  const r = new FakeRunner();
  await apply(steps(), { runner: r });
  t.same(r.lines(), [
    'mkdir /etc/netns/a',
    'ip -batch - <<netns add a | link add v | link set v alias x',
    'ip -n a link set lo up',
  ]);
});

t.test('alongside runs after the last process has started, before apply returns', async (t) => {
  const r = new FakeRunner();
  await apply(steps(), { runner: r, alongside: async () => void r.ran.push({ kind: 'write', path: 'state.json', content: '' }) });
  t.same(r.lines().slice(-2), ['ip -n a link set lo up', 'write state.json']);
});

t.test('a failing alongside reverts the whole plan', async (t) => {
  const r = new FakeRunner();
  const err = await apply(steps(), { runner: r, alongside: async () => { throw new Error('disk full'); } }).catch((e) => e);
  t.ok(err instanceof ApplyError);
  t.match(err.message, /disk full/);
  t.same(r.lines().slice(3), ['ip link del v', 'ip netns del a', 'rm /etc/netns/a']);
});

t.test('a batch failing at line 2 reverts the steps that began, newest first', async (t) => {
  const r = new FakeRunner({}, (c) => (c.args[0] === '-batch' ? { stderr: 'RTNETLINK answers: File exists\nCommand failed -:2\n' } : undefined));
  const err = await apply(steps(), { runner: r }).catch((e) => e);
  t.ok(err instanceof ApplyError);
  t.match(err.message, /failed to create veth: `ip link add v`: RTNETLINK answers: File exists \/ Command failed -:2/);
  t.same(r.lines().slice(2), ['ip netns del a', 'rm /etc/netns/a'], 'veth (failed, nothing applied) not reverted; netns and files are');
});

t.test('fault injection: op N fails after ops before it ran', async (t) => {
  const r = new FakeRunner();
  const err = await apply(steps(), { runner: r, faultAt: 4 }).catch((e) => e);
  t.match(err.message, /injected fault before: ip link set v alias x/);
  t.same(r.lines(), [
    'mkdir /etc/netns/a',
    'ip -batch - <<netns add a | link add v', // ran for real up to op 3
    'ip link del v', // revert newest first
    'ip netns del a',
    'rm /etc/netns/a',
  ]);
});

t.test('revert tolerates absence but reports other failures', async (t) => {
  const r = new FakeRunner({}, (c) => {
    if (c.args.includes('lo')) return { stderr: 'boom' };
    if (c.args[0] === 'link' && c.args[1] === 'del') return { stderr: 'Cannot find device "v"' };
    if (c.args[0] === 'netns' && c.args[1] === 'del') return { stderr: 'Operation not permitted' };
    return undefined;
  });
  const err = (await apply(steps(), { runner: r }).catch((e) => e)) as ApplyError;
  t.equal(err.revertErrors.length, 1);
  t.match(err.message, /1 undo command\(s\) failed/);
});

t.test('namespace batches run in parallel up to the limit', async (t) => {
  let inFlight = 0, peak = 0;
  const runner = {
    async run(cmd: any) {
      inFlight++; peak = Math.max(peak, inFlight);
      await new Promise((res) => setTimeout(res, 5));
      inFlight--;
      return { argv: [], exitCode: 0, stdout: '', stderr: '', durationMs: 0 };
    },
    async file() {},
  };
  const many = Array.from({ length: 10 }, (_, i) => step(`c${i}`, 'conf', 'inside', [ip(['link', 'set', 'lo', 'up'], { netns: `c${i}` })]));
  await apply(many, { runner, concurrency: 4 });
  t.equal(peak, 4);
});

t.test('a delete of something already gone is done, and the rest of its batch still runs', async (t) => {
  const { delLink } = await import('../../../src/kernel/link.js');
  let calls = 0;
  const r = new FakeRunner({}, (c) => (c.args[0] === '-batch' && calls++ === 0 ? { stderr: 'Cannot find device "a"\nCommand failed -:1\n' } : undefined));
  await apply([step('x', 'delete a and b', 'files', [delLink('a'), delLink('b'), ip(['link', 'set', 'c', 'up'])])], { runner: r });
  t.same(r.lines(), ['ip -batch - <<link del a | link del b | link set c up', 'ip -batch - <<link del b | link set c up']);
  const bad = new FakeRunner({}, () => ({ stderr: 'Cannot find device "c"' }));
  const err = await apply([step('y', 'bring c up', 'files', [ip(['link', 'set', 'c', 'up'])])], { runner: bad }).catch((e) => e);
  t.ok(err instanceof ApplyError, 'not-found of anything but a delete is still a failure');
});

t.test('failedLine: the line ip names, else the op holding the refused argument (ip exits at once then)', async (t) => {
  const { failedLine, unitsOf } = await import('../../../src/engine/apply.js');
  const [u] = unitsOf([step('c/netns', 'create netns c', 'netns', [ip(['netns', 'add', 'c']), ip(['link', 'add', 'v', 'master', 'br0'])])]);
  t.same(failedLine('Command failed -:2', u!.slots), { index: 1, known: true });
  t.same(failedLine('Error: argument "br0" is wrong: Device does not exist', u!.slots), { index: 1, known: false });
  t.same(failedLine('something else', u!.slots), { index: 1, known: false }, 'unknown: the last op');
});

t.test('a refused argument in a batch (no line number): the failure is named right and every step that may have run is reverted', async (t) => {
  const r = new FakeRunner({}, (c) => (c.args[0] === '-batch' ? { stderr: 'Error: argument "br0" is wrong: Device does not exist' } : undefined));
  const plan = [
    step('c/netns', 'create netns c', 'netns', [ip(['netns', 'add', 'c'])], [ip(['netns', 'del', 'c'])]),
    step('c/veth', 'create veth v', 'links', [ip(['link', 'add', 'v', 'master', 'br0'])], [ip(['link', 'del', 'v'])]),
  ];
  const err = await apply(plan, { runner: r }).catch((e) => e);
  t.match(err.message, /^failed to create veth v: `ip link add v master br0`/);
  t.same(r.lines().slice(1), ['ip link del v', 'ip netns del c'], 'both undone, newest first');
});

t.test('crash injection: the ops before op N run, then the process is killed; ops + 1 dies after the save', async (t) => {
  const kill = process.kill;
  t.teardown(() => void (process.kill = kill));
  const crashAt = async (n: number) => {
    const r = new FakeRunner();
    let seen: string[] | undefined;
    process.kill = ((pid: number, sig: string) => {
      seen = [...r.lines(), `kill ${pid === process.pid ? 'self' : pid} ${sig}`];
      throw new Error('killed'); // stands in for the end of the process
    }) as typeof process.kill;
    await apply(steps(), { runner: r, crashAt: n, alongside: async () => void r.ran.push({ kind: 'write', path: 'state.json', content: '' }) }).catch(() => {});
    return seen;
  };
  t.same(await crashAt(4), ['mkdir /etc/netns/a', 'ip -batch - <<netns add a | link add v', 'kill self SIGKILL']);
  t.same(await crashAt(6), ['mkdir /etc/netns/a', 'ip -batch - <<netns add a | link add v | link set v alias x', 'ip -n a link set lo up', 'write state.json', 'kill self SIGKILL']);
  t.equal(await crashAt(7), undefined, 'past the end: no crash');
});

t.test('progress: once per unit, after it is done', async (t) => {
  const seen: string[] = [];
  await apply(steps(), { runner: new FakeRunner(), onProgress: (done, total) => seen.push(`${done}/${total}`) });
  t.same(seen.sort(), ['1/3', '2/3', '3/3']);
});
