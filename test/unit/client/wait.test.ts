// The CLI waits for the live nslabd of its state directory while its socket is silent, says so
// once, and stops waiting when it answers (its socket) or dies (in-process is safe again).
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonPidPath, startOf } from '../../../src/state/daemon-pid.js';
import { waitForDaemon } from '../../../src/client/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dswait-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const socket = join(dir, 'nslabd.sock');

/** A process standing in for an nslabd that has not bound its socket yet, recorded as the daemon. */
async function fakeDaemon(t: { teardown: (fn: () => void) => void }): Promise<ChildProcess> {
  const child = spawn('sleep', ['30']);
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL')));
  await new Promise((r) => child.once('spawn', r));
  await new Promise((r) => setTimeout(r, 50));
  writeFileSync(daemonPidPath(dir), JSON.stringify({ pid: child.pid, start: startOf(child.pid!), socket }));
  return child;
}

t.test('no daemon recorded, or a dead one: at once, nothing said', async (t) => {
  const said: string[] = [];
  t.equal(await waitForDaemon(dir, (l) => said.push(l)), undefined);
  writeFileSync(daemonPidPath(dir), JSON.stringify({ pid: 999999999, start: '1', socket }));
  const t0 = Date.now();
  t.equal(await waitForDaemon(dir, (l) => said.push(l)), undefined, 'a leftover of a dead nslabd blocks nobody');
  t.ok(Date.now() - t0 < 200);
  t.same(said, []);
});

t.test('a live daemon not answering yet: one message, then its socket once it answers', async (t) => {
  const d = await fakeDaemon(t);
  const said: string[] = [];
  const server = createServer((c) => c.end());
  t.teardown(() => server.close());
  setTimeout(() => server.listen(socket), 400);
  t.equal((await waitForDaemon(dir, (l) => said.push(l), 20))?.socket, socket);
  t.same(said, [`waiting for nslabd (pid ${d.pid}) to answer on ${socket}…`], 'said once, though it polled many times');
});

t.test('the daemon dies while the CLI waits: it stops waiting (and may work in-process)', async (t) => {
  const d = await fakeDaemon(t);
  const said: string[] = [];
  setTimeout(() => process.kill(d.pid!, 'SIGKILL'), 300);
  const t0 = Date.now();
  t.equal(await waitForDaemon(dir, (l) => said.push(l), 20), undefined);
  t.ok(Date.now() - t0 >= 250, 'it waited while the daemon lived');
  t.equal(said.length, 1);
});
