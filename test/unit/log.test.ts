// The transcript stream: a write that fails (ENOSPC on /dev/full) is dropped, said once, never thrown.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLogger, TranscriptStream } from '../../src/log.js';

t.test('a full disk: every write is swallowed, one warning', async (t) => {
  const warned: string[] = [];
  const s = new TranscriptStream('/dev/full', undefined, (l) => warned.push(l));
  for (let i = 0; i < 5; i++) t.doesNotThrow(() => s.write(`line ${i}\n`));
  s.close();
  t.equal(warned.length, 1, 'said once');
  t.match(warned[0], /cannot write the log \/dev\/full \(ENOSPC\); going on without it/);
});

t.test('a writable file gets every line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kalog-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const log = await makeLogger({ level: 'error', transcriptDir: dir });
  log.info({ n: 1 }, 'one');
  log.info('two');
  const lines = readFileSync(join(dir, 'nslab.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).msg);
  t.same(lines, ['one', 'two']);
});

t.test('colour only on a terminal, never under NO_COLOR or TERM=dumb', async (t) => {
  const { wantsColor } = await import('../../src/log.js');
  t.equal(wantsColor({}, true), true, 'a terminal');
  t.equal(wantsColor({}, false), false, 'a pipe or a file');
  t.equal(wantsColor({ NO_COLOR: '1' }, true), false, 'NO_COLOR');
  t.equal(wantsColor({ NO_COLOR: '' }, true), true, 'an empty NO_COLOR does not count (no-color.org)');
  t.equal(wantsColor({ TERM: 'dumb' }, true), false, 'TERM=dumb');
});

t.test('the tap: lines logged inside run() reach that sink alone, from its level up, across awaits', async (t) => {
  const { logTap, levelOf } = await import('../../src/log.js');
  const log = (await makeLogger({ level: 'silent' })).child({}, { level: 'trace' });
  const a: string[] = [];
  const b: string[] = [];
  const work = async (name: string) => {
    log.debug({ who: name }, 'reads');
    await new Promise((r) => setTimeout(r, 5));
    log.info({ who: name }, 'kernel command');
  };
  await Promise.all([
    logTap.run({ level: 20, write: (l) => a.push(l) }, () => work('a')),
    logTap.run({ level: 30, write: (l) => b.push(l) }, () => work('b')),
  ]);
  log.info('nobody asked');
  t.same(a.map((l) => [levelOf(l), JSON.parse(l).who, JSON.parse(l).msg]), [[20, 'a', 'reads'], [30, 'a', 'kernel command']]);
  t.same(b.map((l) => [levelOf(l), JSON.parse(l).who]), [[30, 'b']], 'info and up only, and only its own');
  t.equal(levelOf('not a log line'), 0);
});
