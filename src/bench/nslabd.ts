// nslabd for a part of the bench: started in a throw-away host namespace of the run, ended by
// its PID (what it made goes with the namespace in the run's cleanup, also on an error).
import { join } from 'node:path';
import { RemoteEngine } from '../client/remote.js';
import type { Ctx } from './measure-cli.js';
import { sleep, start } from './run.js';

export interface BenchDaemon {
  client: RemoteEngine;
  /** nslabd's own PID (nsenter execs node). */
  pid: number;
  /** The host namespace it runs in. */
  ns: string;
}

/** Wait until nslabd answers its ping with status "ready" (it listens before it has reconciled). */
async function ready(client: RemoteEngine, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const gone = exited();
    if (gone !== undefined) throw new Error(`nslabd exited: ${gone}`);
    const ping = (await client.ping().catch(() => undefined)) as { status?: string } | undefined;
    if (ping?.status === 'ready') return;
    await sleep(50);
  }
  throw new Error('nslabd did not answer ready within 30 s');
}

/** Run `fn` with an nslabd of its own in host namespace `host` (a name under the run's prefix); stop it after, by PID. */
export async function withDaemon<T>(ctx: Ctx, host: string, fn: (d: BenchDaemon) => Promise<T>): Promise<T> {
  const { scratch, root, say } = ctx;
  const dir = scratch.dir();
  const socket = join(dir, 'nslabd.sock');
  const ns = await scratch.host(host);
  say('nslabd: starting');
  const child = start(['nsenter', `--net=/run/netns/${ns}`, 'node', join(root, 'dist', 'nslabd.js'),
    '--socket', socket, '--state-dir', join(dir, 'state'), '--log-level', 'error']);
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? `${child.exitCode ?? child.signalCode} ${log.trim()}` : undefined);
  const client = new RemoteEngine(socket, () => {});
  try {
    await ready(client, exited);
    return await fn({ client, pid: child.pid!, ns });
  } finally {
    if (!exited()) {
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(child.pid!, 'SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
    }
  }
}
