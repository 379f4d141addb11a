// Under --json an error is one line of JSON on stderr (kind, message, exit code, field); plain
// mode keeps `nslab: MESSAGE`. Runs src/cli/main.ts on commands that only read an empty state.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'nslab-json-errors-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const main = resolve(import.meta.dirname, '../../../src/cli/main.ts');
// The CLI loads src/ the way this test does: with the TypeScript loader tap gave this process.
const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));

/** nslab with an empty state directory and no nslabd (nothing answers on the socket). */
function nslab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const argv = [...loader, main, '--state-dir', join(dir, 'state'), '--socket', join(dir, 'none.sock'), ...args];
  return new Promise((res) => {
    const child = execFile(process.execPath, argv, (_, stdout, stderr) => res({ code: child.exitCode!, stdout, stderr }));
  });
}

const cases: Array<[string, string[], object, RegExp]> = [
  ['a missing name', ['network', 'inspect', 'nope'], { kind: 'not-found', message: 'network: no such network "nope"', exitCode: 2 }, /^nslab: network: no such network "nope"\n$/],
  ['a bad value', ['exec', 'x', '--'], { kind: 'invalid', message: 'command: give the command to run after --', exitCode: 2, field: 'command' }, /^nslab: command: give the command to run after --\n$/],
  ['a usage error', ['network', 'create'], { kind: 'invalid', message: "arguments: missing required argument 'name'", exitCode: 2, field: 'arguments' }, /^nslab: arguments: missing required argument 'name'\n$/],
];

// Each run loads the CLI's TypeScript afresh: all of them at once.
const runs = await Promise.all(cases.map(([, args]) => Promise.all([nslab('--json', ...args), nslab(...args)])));
t.equal(loader.length, 1, 'the test runs under a TypeScript loader the CLI can reuse');
for (const [i, [what, , error, plain]] of cases.entries()) {
  t.test(what, async (t) => {
    const [j, p] = runs[i]!;
    t.equal(j.code, 2, '--json: exit 2');
    t.equal(j.stdout, '', '--json: nothing on stdout');
    t.same(JSON.parse(j.stderr), { error }, '--json: the error as one JSON object on stderr');
    t.equal(j.stderr.trim().split('\n').length, 1, '--json: on one line, and nothing else');
    t.equal(p.code, 2, 'plain: exit 2');
    t.match(p.stderr, plain, 'plain: one line, nslab: WHAT: WHY');
  });
}
