// Atomic writes: whole or not at all; a failed write leaves the old file byte for byte.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageAtomic, tmpOf, writeAtomic } from '../../../src/state/atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-atomic-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'state.json');

t.test('write, stage then commit or discard', async (t) => {
  writeAtomic(file, 'one\n');
  t.equal(readFileSync(file, 'utf8'), 'one\n');
  const s = stageAtomic(file, 'two\n');
  t.equal(readFileSync(file, 'utf8'), 'one\n', 'staged: the file is unchanged');
  t.equal(readFileSync(tmpOf(file), 'utf8'), 'two\n', 'the new version waits beside it');
  s.commit();
  s.commit();
  t.equal(readFileSync(file, 'utf8'), 'two\n');
  t.notOk(existsSync(tmpOf(file)));
  const d = stageAtomic(file, 'three\n');
  d.discard();
  t.equal(readFileSync(file, 'utf8'), 'two\n', 'discarded: unchanged');
  t.notOk(existsSync(tmpOf(file)), 'no temporary file left');
});

t.test('a write that cannot happen is a WriteError (exit 1) and changes nothing', async (t) => {
  const before = readFileSync(file);
  // A link planted at the temporary name is refused (O_NOFOLLOW), and its target untouched.
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  symlinkSync(victim, tmpOf(file));
  t.throws(() => writeAtomic(file, 'x'), { name: 'WriteError', exitCode: 1 });
  t.equal(readFileSync(victim, 'utf8'), 'precious\n');
  t.ok(readFileSync(file).equals(before));
  t.throws(() => writeAtomic(join(dir, 'missing', 'state.json'), 'x'), { name: 'WriteError' });
});
