// nslabd's command line: a --socket path that holds something else is refused (exit 2, one
// line) and left alone; bad option values are refused the same way; nothing on the host changes.
import t from 'tap';
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { DAEMON, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kas');
t.teardown(() => sb.down());

/** nslabd in the fake host, expected to refuse at once (killed after 90 s if it does not). */
async function nslabd(args: string[]) {
  const r = await execa('nsenter', [`--net=/run/netns/${sb.host}`, 'node', DAEMON, '--state-dir', sb.stateDir, ...args], { reject: false, timeout: 90_000, env: { LC_ALL: 'C' } });
  return { code: r.exitCode, stderr: String(r.stderr), timedOut: r.timedOut };
}

t.test('a --socket path that is a file, a directory or a symlink is refused and left alone', async (t) => {
  const before = await sb.snapshot();
  const file = join(sb.stateDir, 'precious.txt');
  writeFileSync(file, 'do not delete me\n');
  const dir = join(sb.stateDir, 'adir');
  mkdirSync(dir);
  const link = join(sb.stateDir, 'alink');
  symlinkSync(file, link);
  for (const [what, path] of [['a regular file', file], ['a directory', dir], ['a symlink', link]] as const) {
    const r = await nslabd(['--socket', path]);
    t.equal(r.code, 2, `${what}: exit 2`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
    t.match(r.stderr, /^nslabd: socket: .* exists and is not a socket/, `${what}: ${r.stderr.trim()}`);
  }
  t.equal(readFileSync(file, 'utf8'), 'do not delete me\n', 'the file is intact');
  t.ok(statSync(dir).isDirectory(), 'the directory is still there');
  t.ok(statSync(link).isFile(), 'the symlink still points at the file');
  t.same(await sb.snapshot(), before, 'the host is unchanged');
});

t.test('bad option values: one line, exit 2', async (t) => {
  const cases: Array<[string, string[], RegExp]> = [
    ['an unknown log level', ['--socket', sb.socket, '--log-level', 'bogus'], /^nslabd: log-level: must be one of fatal, error, warn, info, debug, trace, silent$/],
    ['an empty socket path', ['--socket', '', '--log-level', 'info'], /^nslabd: socket: must not be empty$/],
    ['a socket path too long for sun_path', ['--socket', `/tmp/${'s'.repeat(120)}`], /^nslabd: socket: is longer than 107 bytes/],
    ['an unknown option', ['--socket', sb.socket, '--frobnicate'], /unknown option '--frobnicate'/],
  ];
  for (const [what, args, message] of cases) {
    const r = await nslabd(args);
    t.equal(r.code, 2, `${what}: exit 2`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
    t.match(r.stderr.trim(), message, `${what}: ${r.stderr.trim()}`);
  }
});
