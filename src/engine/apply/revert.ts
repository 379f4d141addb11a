// Undoes the steps of a failed plan that had begun, newest first.
import { CommandError, classify } from '../../exec/outcome.js';
import type { Runner } from '../../exec/runner.js';
import type { Step } from '../step.js';

/**
 * Run the revert ops of every step in `begun` (indexes into steps), newest step first, each
 * step's ops in order. Absence is success, so undoing twice is harmless; every other failure
 * is collected and returned, and the rest still runs.
 */
export async function revert(runner: Runner, steps: readonly Step[], begun: ReadonlySet<number>): Promise<Error[]> {
  const errors: Error[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    if (!begun.has(i)) continue;
    for (const op of steps[i]!.revert) {
      try {
        if (op.kind === 'cmd') {
          const out = await runner.run(op);
          if (out.exitCode !== 0 && classify(out) !== 'not-found') errors.push(new CommandError(op, out, `undo ${steps[i]!.description}`));
        } else {
          await runner.file(op);
        }
      } catch (e) {
        errors.push(e as Error);
      }
    }
  }
  return errors;
}
