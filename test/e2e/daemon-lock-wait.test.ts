// The CLI never falls back in-process while an nslabd holds the state directory: it waits for
// it with one message, whether nslabd has not bound its socket yet or is stopped, and goes
// through it once it answers; if that nslabd dies meanwhile, the CLI works in-process; a dead
// nslabd's leftover pid file blocks nobody.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, DAEMON, daemonStatus, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('dsw');
t.teardown(() => sb.down());
const pidFile = join(sb.stateDir, 'nslabd.pid');
const waiting = (pid: number) => `nslab: waiting for nslabd (pid ${pid}) to answer on ${sb.socket}…`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The pid nslabd.pid names, if there is one. */
const pidIn = () => (existsSync(pidFile) ? (JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid : undefined);
const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];

/** A CLI call in the fake host whose stderr can be watched while it runs. */
function start(args: string[]) {
  const child = spawn('nsenter', [`--net=/run/netns/${sb.host}`, 'node', CLI, '--state-dir', sb.stateDir, '--socket', sb.socket, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  const r = { stdout: '', stderr: '', code: null as number | null, done: false };
  child.stdout!.on('data', (d) => (r.stdout += d));
  child.stderr!.on('data', (d) => (r.stderr += d));
  const exited = new Promise<typeof r>((res) => child.once('exit', (c) => res(Object.assign(r, { code: c, done: true }))));
  return { child, r, exited };
}

async function until(what: string, ok: () => boolean, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A stopped nslabd cannot take SIGTERM: continue it, then stop it (both by its pid). */
async function resumeAndStop(d: ChildProcess): Promise<void> {
  if (d.exitCode === null && d.signalCode === null) process.kill(d.pid!, 'SIGCONT');
  await sb.stopDaemon();
}

/** Is a container recorded (read from the state file, not through anybody)? */
const recorded = (name: string) => existsSync(join(sb.stateDir, 'state.json')) && readFileSync(join(sb.stateDir, 'state.json'), 'utf8').includes(`"${name}"`);

/**
 * nslabd that stops itself (SIGSTOP) just before it binds its socket: its pid file is written,
 * the socket not bound, the lock not yet taken, as in the first moments of a real start.
 */
async function stoppedBeforeListen(t: { teardown: (fn: () => unknown) => void }): Promise<ChildProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'dsw-pre-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const preload = join(dir, 'stop-before-listen.cjs');
  // Only its first listen (the API socket): the embedded DNS server's TCP listeners come later.
  writeFileSync(preload, "const net = require('net'); const listen = net.Server.prototype.listen; let first = true;\n"
    + "net.Server.prototype.listen = function (...a) { if (first) { first = false; process.kill(process.pid, 'SIGSTOP'); } return listen.apply(this, a); };\n");
  const d = spawn('nsenter', [`--net=/run/netns/${sb.host}`, process.execPath, '--require', preload, DAEMON, '--socket', sb.socket, '--state-dir', sb.stateDir, '--log-level', 'info'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  sb.daemon = d; // sb.down() stops it
  sb.daemonLog = '';
  d.stderr!.on('data', (c) => (sb.daemonLog += c));
  t.teardown(() => resumeAndStop(d));
  await until('nslabd to stop itself before listening', () => existsSync(`/proc/${d.pid}`) && state(d.pid!) === 'T');
  return d;
}

t.test('nslabd stopped after it started: the call waits with the message, then goes through it', async (t) => {
  const d = await sb.startDaemon();
  t.equal(pidIn(), d.pid, 'nslabd records its pid in the state directory');
  t.equal((await sb.cli(['network', 'create', 'dswnet', '--subnet', '10.240.10.0/24'])).code, 0);
  process.kill(d.pid!, 'SIGSTOP');
  t.teardown(() => resumeAndStop(d));
  const c = start(['container', 'create', sb.name('a'), '--network', 'dswnet']);
  await until('the waiting message', () => c.r.stderr.includes('waiting for nslabd') || c.r.done);
  t.equal(c.r.stderr, `${waiting(d.pid!)}\n`, 'one line saying whom it waits for');
  await sleep(500);
  t.notOk(c.r.done, 'still waiting');
  t.notOk(recorded(sb.name('a')), 'nothing done in-process');
  process.kill(d.pid!, 'SIGCONT');
  const r = await c.exited;
  t.equal(r.code, 0, r.stderr);
  t.match(sb.daemonLog, new RegExp(`"verb":"createContainers","container":"${sb.name('a')}"`), 'served by nslabd');
  t.equal(r.stderr, `${waiting(d.pid!)}\n`, 'said once');
  await sb.stopDaemon();
  t.notOk(existsSync(pidFile), 'a stopped nslabd removes its pid file');
});

t.test('nslabd stopped before it binds its socket: the call waits for it rather than for the lock, then goes through it', async (t) => {
  const d = await stoppedBeforeListen(t);
  t.equal(pidIn(), d.pid, 'the pid file is written before the socket is bound');
  t.notOk(existsSync(sb.socket), 'no socket yet');
  const c = start(['container', 'create', sb.name('b'), '--network', 'dswnet']);
  await until('the waiting message', () => c.r.stderr.includes('waiting for nslabd') || c.r.done);
  t.equal(c.r.stderr, `${waiting(d.pid!)}\n`);
  await sleep(500);
  t.notOk(c.r.done, 'still waiting');
  t.notOk(recorded(sb.name('b')), 'nothing done in-process (the lock was free: it would have been)');
  process.kill(d.pid!, 'SIGCONT');
  const r = await c.exited;
  t.equal(r.code, 0, r.stderr);
  t.match(sb.daemonLog, new RegExp(`"verb":"createContainers","container":"${sb.name('b')}"`), 'served by nslabd');
  t.equal(await daemonStatus(sb.socket), 'ready');
  await sb.stopDaemon();
});

t.test('nslabd dies while the call waits: the call goes on in-process; its leftover pid blocks nobody', async (t) => {
  const d = await stoppedBeforeListen(t);
  const c = start(['container', 'create', sb.name('c'), '--network', 'dswnet']);
  await until('the waiting message', () => c.r.stderr.includes('waiting for nslabd') || c.r.done);
  t.notOk(c.r.done, 'waiting');
  process.kill(d.pid!, 'SIGKILL');
  const r = await c.exited;
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stderr, `${waiting(d.pid!)}\n`, 'nothing more said');
  t.ok(recorded(sb.name('c')), 'done in-process');
  t.ok(existsSync(pidFile), 'kill -9 left the pid file');
  const t0 = Date.now();
  const again = await sb.cli(['container', 'rm', sb.name('c')]);
  t.same([again.code, again.stderr], [0, ''], 'the next call works in-process at once, saying nothing');
  t.ok(Date.now() - t0 < 10000);
  await sb.startDaemon();
  t.equal(pidIn(), sb.daemon!.pid, 'a new nslabd starts over the leftover and records itself');
});
