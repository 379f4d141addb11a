// The figures through nslabd: single `container create` requests over its socket (against the
// floor's single create), and nslabd's RSS holding many containers, then their removal.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from './measure-cli.js';
import { withDaemon } from './nslabd.js';
import { run } from './run.js';
import { median, type Figure } from './stats.js';

/** VmRSS of a process in MB, from the text of /proc/PID/status (pure). */
export function rssMb(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error('no VmRSS line in /proc/PID/status');
  return Number(m[1]) / 1024;
}

/**
 * nslabd in its own host namespace: `single` creates timed one by one over the socket, the
 * floor's single creates beside them, then `many` containers in one `up` and nslabd's RSS,
 * then their removal (timed).
 */
export async function daemon(ctx: Ctx, single: number, many: number): Promise<Figure[]> {
  const { scratch, root, say } = ctx;
  return withDaemon(ctx, 'dh', async ({ client, pid, ns }) => {
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
    await scratch.settle(ns);

    say(`floor: ${single} single creates`);
    const fh = await scratch.host('fs');
    const floor = await run(['nsenter', `--net=/run/netns/${fh}`, 'bash', join(root, 'scripts', 'bench-floor.sh'), 'single', String(single), scratch.prefix, scratch.dir()]);
    const floorMs = floor.stdout.trim().split(/\s+/).map(Number);
    await scratch.settle(fh);

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
    await scratch.settle(ns);
    return [
      { name: 'nslabd container create', unit: 'ms', nslab: median(ms), baseline: median(floorMs), bound: { on: 'value', max: 15 } },
      { name: `nslabd RSS, ${many} containers`, unit: 'MB', nslab: rss, bound: { on: 'value', max: 100 } },
      { name: `nslabd up ${many} containers`, unit: 'ms', nslab: upMs },
      { name: `nslabd remove ${many} containers`, unit: 'ms', nslab: removeMs },
    ];
  });
}
