// The launcher runs argv arrays exactly (no shell reading of the words), with stdin, output and exit codes.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Launcher } from '../../../src/exec/launcher.js';
import { ExecaRunner } from '../../../src/exec/runner.js';

const jobDirs = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('nslab-run-')));
const waitFor = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  return ok();
};

t.test('words reach the command as they are: spaces, quotes, $, globs, newlines, empty words', async (t) => {
  const l = new Launcher();
  t.teardown(() => l.close());
  const words = ['a b', "it's", '"q"', '$HOME', '*', '$(touch /nonexistent)', 'two\nlines', '', '-n', 'é'];
  const r = await l.run(['printf', '[%s]\\n', ...words], undefined);
  t.equal(r.exitCode, 0);
  t.equal(r.stdout, words.map((w) => `[${w}]\n`).join(''));
  t.equal(r.stderr, '');
  await t.rejects(l.run(['printf', '%s', 'a\0b'], undefined), /NUL byte/, 'a word with a NUL byte is never split into two');
});

t.test('stdin is fed, stdout and stderr come back apart, exit codes are kept', async (t) => {
  const l = new Launcher();
  t.teardown(() => l.close());
  const cat = await l.run(['cat'], 'line one\nline two\n');
  t.equal(cat.stdout, 'line one\nline two\n');
  const fail = await l.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], undefined);
  t.same(fail, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
  const missing = await l.run(['nslab-no-such-command'], undefined);
  t.equal(missing.exitCode, 127);
  t.match(missing.stderr, /nslab-no-such-command: command not found/);
  const empty = await l.run(['cat'], undefined);
  t.equal(empty.stdout, '', 'no stdin: an empty one');
});

t.test('many jobs at once each get their own answer', async (t) => {
  const l = new Launcher();
  t.teardown(() => l.close());
  const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => l.run(['sh', '-c', `sleep 0.0${i % 5}; echo $0; exit $(( $0 % 7 ))`, String(i)], undefined)));
  rs.forEach((r, i) => {
    t.equal(r.stdout, `${i}\n`, `job ${i}'s output`);
    t.equal(r.exitCode, i % 7, `job ${i}'s exit code`);
  });
});

t.test("its directory goes when it is closed; a killed launcher's running job still reports; it restarts, or is given up if it never answered", async (t) => {
  const before = jobDirs();
  const l = new Launcher();
  await l.run(['true'], undefined);
  const mine = [...jobDirs()].filter((d) => !before.has(d));
  t.equal(mine.length, 1, 'one private job directory while it runs');
  l.close();
  t.ok(await waitFor(() => !existsSync(`${tmpdir()}/${mine[0]}`)), 'removed by bash once node closes its end');

  const k = new Launcher();
  await k.run(['true'], undefined);
  const slow = k.run(['sleep', '1'], undefined);
  await new Promise((r) => setTimeout(r, 100));
  (k as unknown as { current: { child: { kill: (s: string) => void } } }).current.child.kill('SIGKILL');
  const r = await slow;
  // The job's own shell outlives bash and holds the pipe: its real end is still reported.
  t.same(r, { exitCode: 0, stdout: '', stderr: '' }, 'a job running when bash died still reports how it ended');
  const again = await k.run(['echo', 'again'], undefined);
  t.same(again, { exitCode: 0, stdout: 'again\n', stderr: '' }, 'one that had answered is started again for the next job');
  k.close();

  const never = new Launcher();
  (never as unknown as { start: () => void }).start();
  (never as unknown as { current: { child: { kill: (s: string) => void } } }).current.child.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, 100));
  await t.rejects(never.run(['true'], undefined), /launcher gone/, 'one that never answered is given up: the runner runs the jobs itself');
});

t.test('ExecaRunner: the same outcome with and without the launcher', async (t) => {
  const cmd = { kind: 'cmd' as const, file: 'sh', args: ['-c', 'cat; echo "$LC_ALL" >&2; exit 4'], stdin: 'in\n', mutates: false };
  const a = new ExecaRunner(undefined);
  const b = new ExecaRunner(undefined, { launcher: false });
  t.teardown(() => a.close());
  const [ra, rb] = [await a.run(cmd), await b.run(cmd)];
  for (const r of [ra, rb]) {
    t.equal(r.exitCode, 4);
    t.equal(r.stdout, 'in\n');
    t.equal(r.stderr, 'C\n', 'LC_ALL=C for the command');
    t.same(r.argv, ['sh', '-c', 'cat; echo "$LC_ALL" >&2; exit 4']);
  }
});
