// The lab id: made once, kept in lab-id, restored from state.json's copy, never written in dry-run.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labIdOf } from '../../../src/state/lab-id.js';
import { Store } from '../../../src/state/store.js';
import { emptyState } from '../../../src/state/types.js';

t.test('made on first use and kept', async (t) => {
  const dir = t.testdir({});
  const id = labIdOf(dir, true);
  t.match(id, /^[0-9a-f]{8}$/);
  t.equal(readFileSync(join(dir, 'lab-id'), 'utf8'), id + '\n');
  t.equal(labIdOf(dir, true), id, 'the same id the second time');
  await new Store(dir).save(emptyState());
  t.equal(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).labId, id, 'state.json records a copy');
});

t.test('a lost or garbage lab-id comes back from state.json; a corrupt state.json does not matter', async (t) => {
  const dir = t.testdir({ 'state.json': JSON.stringify({ version: 1, labId: '0a1b2c3d', networks: {}, containers: {} }) });
  t.equal(labIdOf(dir, true), '0a1b2c3d', 'restored from state.json');
  t.equal(readFileSync(join(dir, 'lab-id'), 'utf8'), '0a1b2c3d\n', 'and written back');
  writeFileSync(join(dir, 'lab-id'), 'garbage');
  t.equal(labIdOf(dir, true), '0a1b2c3d', 'garbage replaced from the copy');
  writeFileSync(join(dir, 'state.json'), '{"trunc');
  t.equal(labIdOf(dir, true), '0a1b2c3d', 'a truncated state.json: lab-id still says whose marks are ours');
});

t.test('dry-run writes nothing', async (t) => {
  const dir = t.testdir({});
  t.match(labIdOf(dir, false), /^[0-9a-f]{8}$/);
  t.notOk(existsSync(join(dir, 'lab-id')));
});
