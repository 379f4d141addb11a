// A plan's ops grouped into units: one process (an `ip -batch` of one namespace) or one file op.
import { batchKey, batchOf, type Command, type Op } from '../../exec/command.js';
import { toShell } from '../../exec/shell.js';
import type { Step } from '../step.js';

export interface Slot {
  readonly op: Op;
  readonly step: number; // index into steps
  readonly seq: number; // 1-based position of the op in the whole plan
}

/** Consecutive ops that run as one process (an `ip -batch`) or one file op. */
export interface Unit {
  readonly slots: readonly Slot[];
  /** Batch key: '' host ip commands, 'NS' ip commands inside namespace NS, undefined alone. */
  readonly key: string | undefined;
}

/** The steps' ops in order, consecutive `ip` commands of one namespace joined into one unit. Pure. */
export function unitsOf(steps: readonly Step[]): Unit[] {
  const units: Array<{ slots: Slot[]; key: string | undefined }> = [];
  let seq = 0;
  steps.forEach((s, step) => {
    for (const op of s.apply) {
      const key = batchKey(op);
      const last = units[units.length - 1];
      const slot = { op, step, seq: ++seq };
      if (last && key !== undefined && last.key === key) last.slots.push(slot);
      else units.push({ slots: [slot], key });
    }
  });
  return units;
}

/** The one op a unit runs as: its single op, or the `ip -batch` of its ops. Pure. */
export function unitCommand(u: Unit): Op {
  return u.key === undefined ? u.slots[0]!.op : batchOf(u.slots.map((s) => s.op as Command));
}

/** How many ops the units hold (the last `seq`). */
export const opCount = (units: readonly Unit[]): number => units.reduce((n, u) => n + u.slots.length, 0);

/**
 * The exact script `apply` would run, with each group headed by what it does; consecutive
 * units of the same steps (a step's mkdir and file writes, one unit each) share one header. Pure.
 */
export function scriptOf(steps: readonly Step[]): string {
  const out: string[] = [];
  let last = '';
  for (const u of unitsOf(steps)) {
    const of = [...new Set(u.slots.map((s) => s.step))];
    if (of.join(',') !== last) {
      const descs = [...new Set(of.map((i) => steps[i]!.description))];
      out.push(`# ${descs.length > 3 ? `${descs.slice(0, 2).join('; ')}; … (${descs.length} steps)` : descs.join('; ')}`);
    }
    last = of.join(',');
    out.push(toShell(unitCommand(u)));
  }
  return out.join('\n') + (out.length ? '\n' : '');
}
