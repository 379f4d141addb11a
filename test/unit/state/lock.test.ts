// The state lock: exclusive between holders, and freed by the kernel when a holder is killed.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StateLock } from '../../../src/state/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-lock-'));
const path = join(dir, 'lock');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a second holder waits, gives up at its timeout, and gets the lock once it is released', async (t) => {
  const a = await StateLock.acquire(path);
  let waited = 0;
  const err = await StateLock.acquire(path, 100, () => waited++).catch((e: Error) => e);
  t.match(String(err), /another nslab is working/);
  t.equal(waited, 1, 'told once that it waits');
  const pending = StateLock.acquire(path, 5000);
  setTimeout(() => a.release(), 50);
  const b = await pending;
  t.pass('acquired after release');
  b.release();
});

t.test('kill -9 of the holder frees the lock', async (t) => {
  // The child loads src/ the way this test does: with the TypeScript loader tap gave this process.
  const lockTs = pathToFileURL(resolve(import.meta.dirname, '../../../src/state/lock.ts')).href;
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  t.equal(loader.length, 1, 'the test runs under a TypeScript loader the child can reuse');
  const child = spawn(process.execPath, [...loader, '--input-type=module', '-e',
    `const { StateLock } = await import(${JSON.stringify(lockTs)}); await StateLock.acquire(${JSON.stringify(path)}); console.log('locked'); setInterval(() => {}, 1000);`,
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res) => child.stdout!.on('data', (d) => String(d).includes('locked') && res()));
  t.match(String(await StateLock.acquire(path, 100).catch((e: Error) => e)), /another nslab/, 'held by the child');
  child.kill('SIGKILL');
  await new Promise((res) => child.on('exit', res));
  const l = await StateLock.acquire(path, 1000);
  t.pass('free once the holder is dead');
  l.release();
});
