// A step of a plan: what it does in the lab's words, the ops that do it and the ops that undo it.
import type { Op } from '../exec/command.js';

export interface Step {
  /** Stable id, e.g. "container4/veth". */
  readonly id: string;
  /** One sentence for the narration and for `explain`. */
  readonly description: string;
  /** Steps of one plan run in phase order; within a phase, in plan order. */
  readonly phase: number;
  readonly apply: readonly Op[];
  /** Undo, tolerant of absence; built by the same function as `apply` so they cannot drift. */
  readonly revert: readonly Op[];
}

export function step(id: string, description: string, phase: number, apply: Op[], revert: Op[] = []): Step {
  return { id, description, phase, apply, revert };
}

/** Order steps by phase, keeping plan order inside a phase (what lets N containers batch). */
export function byPhase(steps: readonly Step[]): Step[] {
  return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.phase - b.s.phase || a.i - b.i).map((x) => x.s);
}
