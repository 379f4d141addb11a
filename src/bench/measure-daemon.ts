// The figures through nslabd: single `container create` requests over its socket (against the
// floor's single create), and nslabd's RSS holding many containers, then their removal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteEngine } from '../client/remote.js';
import type { Ctx } from './measure-cli.js';
import { run, sleep, start } from './run.js';
import { median, type Figure } from './stats.js';
import { dns } from './measure-dns.js';

/** VmRSS of a process in MB, from the text of /proc/PID/status (pure). */
export function rssMb(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error('no VmRSS line in /proc/PID/status');
  return Number(m[1]) / 1024;
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

/**
 * nslabd in its own host namespace: `single` creates timed one by one over the socket, the
 * floor's single creates beside them, then its embedded DNS against dnsmasq (measure-dns.ts),
 * then `many` containers in one `up` and nslabd's RSS, then their removal (timed). nslabd is stopped by its PID before this returns, also on an error
 * (what it made then goes with the host namespace in the run's cleanup).
 */
export async function daemon(ctx: Ctx, single: number, many: number): Promise<Figure[]> {
  const { scratch, root, say } = ctx;
  const dir = scratch.dir();
  const socket = join(dir, 'nslabd.sock');
  const dh = await scratch.host('dh');
  say('nslabd: starting');
  const child = start(['nsenter', `--net=/run/netns/${dh}`, 'node', join(root, 'dist', 'nslabd.js'),
    '--socket', socket, '--state-dir', join(dir, 'state'), '--log-level', 'error']);
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const exited = () => (child.exitCode !== null || child.signalCode !== null ? `${child.exitCode ?? child.signalCode} ${log.trim()}` : undefined);
  // nsenter execs node: this PID is nslabd's own.
  const pid = child.pid!;
  const client = new RemoteEngine(socket, () => {});
  try {
    await ready(client, exited);
    await client.createNetwork({ name: 'bench', subnet: '10.240.0.0/16' });
    const ms: number[] = [];
    const singles = Array.from({ length: single }, (_, i) => `${scratch.prefix}s${i}`);
    for (const [i, name] of singles.entries()) {
      say(`nslabd: single create ${i + 1}/${single}`);
      const t0 = performance.now();
      await client.createContainers([{ name, network: 'bench' }]);
      ms.push(performance.now() - t0);
    }
    await client.removeContainers(singles);
    await scratch.settle(dh);

    say(`floor: ${single} single creates`);
    const fh = await scratch.host('fs');
    const floor = await run(['nsenter', `--net=/run/netns/${fh}`, 'bash', join(root, 'scripts', 'bench-floor.sh'), 'single', String(single), scratch.prefix, scratch.dir()]);
    const floorMs = floor.stdout.trim().split(/\s+/).map(Number);
    await scratch.settle(fh);

    // Before the 1000 containers: the kernel frees their namespaces for a minute after they are
    // removed, which moves the p99 of both servers by up to 1 ms (measured: see README).
    const dnsFigures = await dns(ctx, dh, socket, pid, 20, 8000);
    await scratch.settle(dh);

    say(`nslabd: up of ${many} containers`);
    const names = Array.from({ length: many }, (_, i) => `${scratch.prefix}r${i}`);
    let t0 = performance.now();
    await client.up([], names.map((name) => ({ name, network: 'bench' })));
    const upMs = performance.now() - t0;
    const rss = rssMb(readFileSync(`/proc/${pid}/status`, 'utf8'));
    say(`nslabd: removing ${many} containers`);
    t0 = performance.now();
    await client.removeContainers(names);
    const removeMs = performance.now() - t0;
    await client.removeNetworks(['bench']);
    await scratch.settle(dh);
    return [
      ...dnsFigures,
      { name: 'nslabd container create', unit: 'ms', nslab: median(ms), baseline: median(floorMs), bound: { on: 'value', max: 15 } },
      { name: `nslabd RSS, ${many} containers`, unit: 'MB', nslab: rss, bound: { on: 'value', max: 100 } },
      { name: `nslabd up ${many} containers`, unit: 'ms', nslab: upMs },
      { name: `nslabd remove ${many} containers`, unit: 'ms', nslab: removeMs },
    ];
  } finally {
    if (!exited()) {
      const gone = new Promise((r) => child.once('exit', r));
      process.kill(pid, 'SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
    }
  }
}
