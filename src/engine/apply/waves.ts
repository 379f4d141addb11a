// Runs a schedule: each wave's processes side by side, its files and the state save beside them.
import type { Wave } from './schedule.js';
import type { Unit } from './units.js';

/**
 * Run the waves in order with `run` (one unit) and `save` (the caller's state write). Within a
 * wave the processes are started first: `run` must reach the spawn before its first await, so
 * that the in-process work (files, save) overlaps a process already running. Both sides of a
 * wave finish before the error of either is thrown (the process side's first).
 */
export async function runWaves(waves: readonly Wave[], run: (u: Unit) => Promise<void>, limit: number, save: () => Promise<void>): Promise<void> {
  for (const w of waves) {
    await overlap(
      async () => {
        if (w.processes.length > 1) await runParallel(w.processes, limit, run);
        else if (w.processes.length) await run(w.processes[0]!);
      },
      async () => {
        for (const u of w.files) await run(u);
        if (w.save) await save();
      },
    );
  }
}

async function overlap(proc: () => Promise<void>, inProcess: () => Promise<void>): Promise<void> {
  const [p, q] = await Promise.allSettled([proc(), inProcess()]);
  if (p.status === 'rejected') throw p.reason;
  if (q.status === 'rejected') throw q.reason;
}

/** At most `limit` at once; after the first error no new item starts; that error is thrown once all in flight end. */
async function runParallel<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length && firstError === undefined) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (e) {
        firstError ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
}
