// Runs one unit with the runner: finds the failing op of a batch, goes on past deletes of what is gone.
import type { Command } from '../../exec/command.js';
import { CommandError, classify } from '../../exec/outcome.js';
import type { Runner } from '../../exec/runner.js';
import type { Step } from '../step.js';
import { unitCommand, type Slot, type Unit } from './units.js';

/** A failed step of a plan (step -1: the caller's state save) and why. */
export class Failure extends Error {
  constructor(readonly step: number, readonly reason: Error) {
    super(reason.message);
  }
}

/** A removal step that failed, and why. */
export interface StepFailure {
  readonly step: Step;
  readonly error: Error;
}

/**
 * Which op of a batch failed. `ip -batch` stops at the first failing line and names it
 * ("Command failed -:N"), except when an argument is refused: then ip exits at once and says
 * only `argument "X" is wrong` (or `Cannot find device "X"`). Then the op is the first whose
 * words hold X, and `known` is false: the ops before it may or may not have run.
 */
export function failedLine(stderr: string, slots: readonly Slot[]): { index: number; known: boolean } {
  if (slots.length === 1) return { index: 0, known: true };
  const line = /Command failed -:(\d+)/.exec(stderr)?.[1];
  if (line) return { index: Math.min(Math.max(0, Number(line) - 1), slots.length - 1), known: true };
  const word = /"([^"]+)"/.exec(stderr)?.[1];
  const i = word === undefined ? -1 : slots.findIndex((s) => s.op.kind === 'cmd' && s.op.args.includes(word));
  return { index: i >= 0 ? i : slots.length - 1, known: false };
}

/** One process (or file op) for these slots: all ran, or which one failed and whether it was a delete of something gone. */
type Ran =
  | { readonly ok: true }
  | { readonly ok: false; readonly index: number; readonly known: boolean; readonly absent: boolean; readonly error: Error };

// No await before the runner is called: the process must be spawned before the caller goes on.
async function runOnce(runner: Runner, steps: readonly Step[], slots: readonly Slot[], key: string | undefined): Promise<Ran> {
  const op = unitCommand({ slots, key });
  if (op.kind !== 'cmd') {
    try {
      await runner.file(op);
      return { ok: true };
    } catch (e) {
      return { ok: false, index: 0, known: true, absent: false, error: e as Error };
    }
  }
  const out = await runner.run(op);
  if (out.exitCode === 0) return { ok: true };
  const { index, known } = failedLine(out.stderr, slots);
  const bad = slots[index]!;
  const cmd = bad.op as Command;
  return { ok: false, index, known, absent: !!cmd.absentOk && classify(out) === 'not-found', error: new CommandError(cmd, out, steps[bad.step]!.description) };
}

/**
 * Run a unit for `apply`: calls `begun` with the step of every op that ran (or may have run),
 * skips past a delete of something already gone, and throws a Failure at the first op that
 * really failed. Not idempotent by itself: the ops are; the caller reverts what began.
 */
export async function runUnit(runner: Runner, steps: readonly Step[], u: Unit, begun: (step: number) => void): Promise<void> {
  let slots = u.slots;
  while (slots.length) {
    const r = await runOnce(runner, steps, slots, u.key);
    if (r.ok) {
      for (const s of slots) begun(s.step);
      return;
    }
    for (const s of slots.slice(0, r.index)) begun(s.step);
    const bad = slots[r.index]!;
    // Not knowing which line failed, count it as begun: its undo tolerates absence.
    if (!r.known) begun(bad.step);
    if (!r.absent) throw new Failure(bad.step, r.error);
    // Deleting what is already gone: done. Go on with the rest of the batch.
    begun(bad.step);
    slots = slots.slice(r.index + 1);
  }
}

/**
 * Run a unit for removal: every op, going on past a failing one (its batch resumes at the next
 * line); absence is success. Returns one failure per op that failed; safe to run again.
 */
export async function runUnitAll(runner: Runner, steps: readonly Step[], u: Unit): Promise<StepFailure[]> {
  const failures: StepFailure[] = [];
  let slots = u.slots;
  while (slots.length) {
    const r = await runOnce(runner, steps, slots, u.key);
    if (r.ok) break;
    if (!r.absent) failures.push({ step: steps[slots[r.index]!.step]!, error: r.error });
    slots = slots.slice(r.index + 1);
  }
  return failures;
}
