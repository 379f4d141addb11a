// nslabd's pid file: a live daemon is recognised by pid and start time, a dead one's or a reused
// pid's record blocks nobody, and a daemon removes only its own record.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonPidPath, forgetDaemon, liveDaemon, recordDaemon, startOf } from '../../../src/state/daemon-pid.js';

const dir = mkdtempSync(join(tmpdir(), 'dspid-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const write = (rec: unknown) => writeFileSync(daemonPidPath(dir), JSON.stringify(rec));

t.test('recorded, it is live; forgotten, it is gone; recording twice is fine', async (t) => {
  recordDaemon(dir, '/x/nslabd.sock');
  recordDaemon(dir, '/x/nslabd.sock');
  t.same(liveDaemon(dir), { pid: process.pid, start: startOf(process.pid), socket: '/x/nslabd.sock' });
  forgetDaemon(dir);
  forgetDaemon(dir);
  t.notOk(existsSync(daemonPidPath(dir)));
  t.equal(liveDaemon(dir), undefined, 'no record: no daemon');
});

t.test('a dead process, a reused pid, a damaged file: no daemon', async (t) => {
  const child = spawn('true');
  await new Promise((r) => child.once('exit', r));
  write({ pid: child.pid, start: '1', socket: '/x' });
  t.equal(liveDaemon(dir), undefined, 'the pid of a process that exited');
  write({ pid: process.pid, start: String(Number(startOf(process.pid)) - 1), socket: '/x' });
  t.equal(liveDaemon(dir), undefined, 'a live pid with another start time: reused');
  for (const bad of ['{', '{"pid":"1","start":"1","socket":"/x"}', '{"pid":-1,"start":"1","socket":"/x"}', '[]']) {
    writeFileSync(daemonPidPath(dir), bad);
    t.equal(liveDaemon(dir), undefined, `damaged: ${bad}`);
  }
});

t.test('a stopped process is alive; another daemon\'s record is left alone', async (t) => {
  const child = spawn('sleep', ['30']);
  t.teardown(() => void (child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL')));
  await new Promise((r) => child.once('spawn', r));
  await new Promise((r) => setTimeout(r, 50));
  process.kill(child.pid!, 'SIGSTOP');
  write({ pid: child.pid, start: startOf(child.pid!), socket: '/x' });
  t.equal(liveDaemon(dir)?.pid, child.pid, 'stopped, still the daemon');
  forgetDaemon(dir);
  t.ok(existsSync(daemonPidPath(dir)), 'not ours: not removed');
  process.kill(child.pid!, 'SIGKILL');
  await new Promise((r) => child.once('exit', r));
  t.equal(liveDaemon(dir), undefined, 'killed: its record blocks nobody');
});
