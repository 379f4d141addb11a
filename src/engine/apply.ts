// Carries out a plan: runs its schedule of units, reverts on failure (the parts live in apply/).
import type { Logger } from 'pino';
import { ApplyError } from '../errors.js';
import type { Runner } from '../exec/runner.js';
import { crashAfterAll, withFaults } from './apply/faults.js';
import { revert } from './apply/revert.js';
import { Failure, runUnit } from './apply/run.js';
import { wavesOf } from './apply/schedule.js';
import { opCount, unitsOf, type Unit } from './apply/units.js';
import { runWaves } from './apply/waves.js';
import type { Step } from './step.js';

export { injected } from './apply/faults.js';
export { failedLine } from './apply/run.js';
export { scriptOf, unitCommand, unitsOf, type Slot, type Unit } from './apply/units.js';

export interface ApplyOptions {
  readonly runner: Runner;
  readonly log?: Logger;
  /** Fault injection for tests: make the Nth op of the plan fail (NSLAB_FAULT_AT). */
  readonly faultAt?: number;
  /**
   * Crash injection for tests: kill -9 this very process just before the Nth op of the plan
   * (NSLAB_CRASH_AT); ops + 1 crashes after the last op and the caller's state write.
   */
  readonly crashAt?: number;
  /** Namespace batches in flight at once. */
  readonly concurrency?: number;
  /** Called after each unit, for progress display. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * In-process work to do while the last process (or group of namespace batches) runs, once it
   * has started: the caller's state write, which then costs no wall time. If it throws, the
   * plan is reverted like any failed step.
   */
  readonly alongside?: () => Promise<void>;
}

/**
 * Run the steps' ops in order. If anything fails, every step that had begun is reverted,
 * newest first, and an ApplyError names the failed step, command and stderr. Idempotent as
 * far as the steps are (ensure/delete ops); a failed apply leaves the host as it found it
 * unless an undo failed, which the error lists.
 */
export async function apply(steps: readonly Step[], o: ApplyOptions): Promise<void> {
  const begun = new Set<number>();
  const units = unitsOf(steps);
  let done = 0;
  const run = withFaults((u) => runUnit(o.runner, steps, u, (i) => void begun.add(i)), steps, o);
  const runOne = async (u: Unit): Promise<void> => {
    await run(u);
    o.onProgress?.(++done, units.length);
  };
  const save = async (): Promise<void> => {
    await o.alongside?.().catch((e: Error) => {
      throw new Failure(-1, e);
    });
  };

  try {
    await runWaves(wavesOf(units), runOne, o.concurrency ?? 4, save);
    crashAfterAll(o.crashAt, opCount(units));
  } catch (e) {
    const f = e instanceof Failure ? e : new Failure(-1, e as Error);
    const revertErrors = await revert(o.runner, steps, begun);
    o.log?.warn({ step: steps[f.step]?.id, err: f.reason.message, reverted: begun.size }, 'apply failed; reverted');
    const undo = revertErrors.length ? ` (and ${revertErrors.length} undo command(s) failed: ${revertErrors.map((r) => r.message).join('; ')})` : '; what had been done was undone';
    throw new ApplyError(`${f.reason.message}${undo}`, revertErrors, { cause: f.reason });
  }
}
