// Saving the records around a change: a create writes them with its last step; a removal stages
// the smaller record before it touches the kernel and puts it in place once the objects are gone.
import type { Staged } from '../state/atomic.js';
import type { IntentFile } from '../state/intent.js';
import { execute, type EngineContext } from './context.js';
import type { Step } from './step.js';

/** Writes the records as they are in memory; `stage` writes them beside state.json without replacing it. */
export interface Save {
  (): Promise<void>;
  stage(): Staged;
}

export function saver(write: () => Promise<void>, stage: () => Staged): Save {
  return Object.assign(write, { stage });
}

/** A Save that writes nothing (dry-run). */
export const noSave: Save = saver(async () => {}, () => ({ commit() {}, discard() {} }));

/**
 * Drop records only once their kernel objects are gone, and only with a write known to fit:
 * `unrecord` changes the records in memory and returns how to put them back; the new state is
 * staged (a full disk fails here, before anything changed); `act` removes the kernel objects;
 * then the staged file replaces state.json. If `act` fails, the records are put back and
 * state.json was never touched. Idempotent as `act` is.
 */
export async function unrecordAfter(save: Save, unrecord: () => () => void, act: () => Promise<void>): Promise<void> {
  const restore = unrecord();
  let staged: Staged;
  try {
    staged = save.stage();
  } catch (e) {
    restore();
    throw e;
  }
  try {
    await act();
  } catch (e) {
    restore();
    staged.discard();
    throw e;
  }
  staged.commit();
}

/**
 * Apply a create's plan and write the records (the caller has already added them in memory)
 * while its last step runs, so the write costs no wall time. If a step or the write itself
 * fails (a full disk), the plan is reverted and `unrecord` takes the records back out of
 * memory; if the write had reached state.json, it is written again without them. The intent
 * file (if any) is cleared once state.json says what the kernel holds; if that second write
 * fails too, it stays, and the next run drops what it names.
 */
export async function executeRecorded(
  ctx: EngineContext, steps: readonly Step[], save: () => Promise<void>, o: { unrecord: () => void; what: string; intent?: Pick<IntentFile, 'clear'> },
): Promise<void> {
  let saved = false;
  try {
    await execute(ctx, steps, async () => {
      await save();
      saved = true;
    });
  } catch (e) {
    o.unrecord(); // apply has reverted what it did
    const undone = !saved || (await save().then(() => true, () => false));
    if (undone) o.intent?.clear();
    else ctx.log.warn(`${o.what}: its record could not be taken back out of the state file${o.intent ? '; the next run drops it' : ''}`);
    throw e;
  }
  o.intent?.clear();
}
