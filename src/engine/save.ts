// Saving the records around a change: a create writes them with its last step; a removal stages
// the smaller record before it touches the kernel and puts it in place once the objects are gone.
import type { Staged } from '../state/atomic.js';

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
