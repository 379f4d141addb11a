// The schedule of a plan: its units in waves (processes side by side, files and the state save beside them). Pure.
import type { Unit } from './units.js';

/**
 * One wave of the schedule. Its processes start first (side by side when there are several:
 * batches inside different container namespaces never depend on each other); its file units
 * are written one after another while they run, and then, on the last wave, the caller's
 * state save. The next wave starts when all of it is done.
 */
export interface Wave {
  /** Process units run together; none when the wave only writes files. */
  readonly processes: readonly Unit[];
  /** File units (/etc/netns entries) written in order while the processes run. */
  readonly files: readonly Unit[];
  /** The state save rides along, after the files: true on the last wave only. */
  readonly save: boolean;
}

const isFile = (u: Unit) => u.slots[0]!.op.kind !== 'cmd';

/**
 * The waves that run `units` (from unitsOf) in plan order. Files before a process are written
 * before it starts, never while it runs: a namespace or link then never exists without the
 * marked /etc/netns entry planned before it, even when nslab is killed right after starting
 * the process (its launcher runs a job it was given to the end). Namespace batches of
 * different namespaces form one wave side by side. The state save rides on the last wave (it
 * runs while that wave's processes do). An empty plan is one wave that only saves. Pure: the
 * same units give the same waves.
 */
export function wavesOf(units: readonly Unit[]): Wave[] {
  const waves: Wave[] = [];
  for (let i = 0; i < units.length; ) {
    let f = i;
    while (f < units.length && isFile(units[f]!)) f++;
    if (f > i) {
      waves.push({ processes: [], files: units.slice(i, f), save: f === units.length });
      i = f;
      continue;
    }
    let j = f;
    while (j < units.length && units[j]!.key) j++;
    const processes = j - f > 1 ? units.slice(f, j) : units.slice(f, f + 1);
    i = f + processes.length;
    waves.push({ processes, files: [], save: i === units.length });
  }
  if (units.length === 0) waves.push({ processes: [], files: [], save: true });
  return waves;
}
