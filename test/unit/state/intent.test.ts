// The intent file: round trip, cleared, and an unreadable one counts as empty.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IntentFile } from '../../../src/state/intent.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-intent-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('round trip and clear', async (t) => {
  const f = new IntentFile(dir);
  t.same(f.read(), { containers: [] }, 'absent: nothing pending');
  f.write({ containers: [{ name: 'a' } as never] });
  t.same(f.read().containers.map((c) => c.name), ['a']);
  f.clear();
  f.clear();
  t.same(f.read(), { containers: [] });
});

t.test('garbage (only possible after a power loss) is nothing pending', async (t) => {
  const f = new IntentFile(dir);
  writeFileSync(f.path, '{"contai');
  t.same(f.read(), { containers: [] });
  writeFileSync(f.path, '{"x":1}');
  t.same(f.read(), { containers: [] });
});
