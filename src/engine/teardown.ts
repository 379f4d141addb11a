// Best-effort removal, as netavark's teardown: every step is tried, failures are collected.
import type { Logger } from 'pino';
import type { Runner } from '../exec/runner.js';
import { withFaultsAll } from './apply/faults.js';
import { runUnitAll, type StepFailure } from './apply/run.js';
import { unitsOf } from './apply/units.js';
import type { Step } from './step.js';

export type { StepFailure } from './apply/run.js';

/**
 * Run every op of every step, in order and batched as `apply` does, going on past failures:
 * a removal step does not depend on the one before it. Absence is success. Nothing is
 * reverted (there is nothing to put back). Returns one failure per op that failed.
 */
export async function applyAll(steps: readonly Step[], o: { runner: Runner; log?: Logger; faultAt?: number; onProgress?: (done: number, total: number) => void }): Promise<StepFailure[]> {
  const run = withFaultsAll((u) => runUnitAll(o.runner, steps, u), steps, o.faultAt);
  const failures: StepFailure[] = [];
  const units = unitsOf(steps);
  let done = 0;
  for (const u of units) {
    failures.push(...(await run(u)));
    o.onProgress?.(++done, units.length);
  }
  for (const f of failures) o.log?.warn({ step: f.step.id, err: f.error.message }, 'removal step failed; going on');
  return failures;
}
