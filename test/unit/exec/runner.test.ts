// File ops of the runner: never through a symbolic link; each op repeated is fine.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileOp } from '../../../src/exec/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-runner-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const victim = join(dir, 'victim');
writeFileSync(victim, 'precious\n');
const victimDir = join(dir, 'victimdir');
mkdirSync(victimDir);
writeFileSync(join(victimDir, 'hosts'), 'precious too\n');

t.test('mkdir, write and rm, each twice', async (t) => {
  const d = join(dir, 'c1');
  fileOp({ kind: 'mkdir', path: d });
  fileOp({ kind: 'mkdir', path: d });
  fileOp({ kind: 'write', path: join(d, 'hosts'), content: 'one\n' });
  fileOp({ kind: 'write', path: join(d, 'hosts'), content: 'two\n' });
  t.equal(readFileSync(join(d, 'hosts'), 'utf8'), 'two\n', 'rewritten whole');
  fileOp({ kind: 'rm', path: d });
  fileOp({ kind: 'rm', path: d });
  t.notOk(existsSync(d));
});

t.test('a write to a link, or into a linked directory, is refused; the target is untouched', async (t) => {
  const d = join(dir, 'c2');
  mkdirSync(d);
  symlinkSync(victim, join(d, 'resolv.conf'));
  t.throws(() => fileOp({ kind: 'write', path: join(d, 'resolv.conf'), content: 'x' }), { name: 'SymlinkError' });
  symlinkSync(victimDir, join(dir, 'c3'));
  t.throws(() => fileOp({ kind: 'write', path: join(dir, 'c3', 'hosts'), content: 'x' }), { name: 'SymlinkError' });
  t.throws(() => fileOp({ kind: 'mkdir', path: join(dir, 'c3') }), { name: 'SymlinkError' }, 'mkdir of an existing link');
  t.throws(() => fileOp({ kind: 'rm', path: join(dir, 'c3') }), { name: 'SymlinkError' }, 'rm of a linked directory');
  t.equal(readFileSync(victim, 'utf8'), 'precious\n');
  t.equal(readFileSync(join(victimDir, 'hosts'), 'utf8'), 'precious too\n');
});

t.test('rm -rf of a directory holding a link removes the link, not what it points at', async (t) => {
  const d = join(dir, 'c4');
  mkdirSync(d);
  symlinkSync(victim, join(d, 'resolv.conf'));
  symlinkSync(victimDir, join(d, 'sub'));
  fileOp({ kind: 'rm', path: d });
  t.notOk(existsSync(d));
  t.equal(readFileSync(victim, 'utf8'), 'precious\n');
  t.equal(readFileSync(join(victimDir, 'hosts'), 'utf8'), 'precious too\n');
});
