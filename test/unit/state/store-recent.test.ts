// Store.loadRecent: the state this process saved, while state.json is still that file; else read again.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../../src/state/store.js';
import { emptyState } from '../../../src/state/types.js';

const LAB = '0123abcd';

t.test('after a save: the same object, without reading the file', async (t) => {
  const dir = t.testdir({});
  const st = new Store(dir, undefined, () => LAB);
  const s = emptyState();
  await st.save(s);
  t.equal(await st.loadRecent(), s, 'the saved object itself');
  t.not(await st.load(), s, 'load() still reads the file');
});

t.test('state.json replaced by someone else (even with the same size, at once): read again', async (t) => {
  const dir = t.testdir({});
  const st = new Store(dir, undefined, () => LAB);
  const s = emptyState();
  await st.save(s);
  const text = JSON.stringify({ ...s, labId: 'ffffffff' }, null, 1) + '\n';
  writeFileSync(join(dir, 'state.json'), text);
  const again = await st.loadRecent();
  t.not(again, s);
  t.equal(again.labId, 'ffffffff', 'what the file now holds');
});

t.test('forget(): read again; nothing saved yet: read', async (t) => {
  const dir = t.testdir({});
  const st = new Store(dir, undefined, () => LAB);
  t.same(await st.loadRecent(), emptyState(), 'no file: the empty state');
  const s = emptyState();
  await st.save(s);
  st.forget();
  const again = await st.loadRecent();
  t.not(again, s);
  t.same(again, { ...s, labId: LAB });
});
