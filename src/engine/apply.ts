// Carries out a plan: batches ip commands, runs container namespaces in parallel, reverts on failure.
import type { Logger } from 'pino';
import { ApplyError } from '../errors.js';
import { batchKey, batchOf, type Command, type Op } from '../exec/command.js';
import { CommandError, classify, type Outcome } from '../exec/outcome.js';
import type { Runner } from '../exec/runner.js';
import { toShell } from '../exec/shell.js';
import type { Step } from './step.js';

interface Slot {
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

export function unitCommand(u: Unit): Op {
  return u.key === undefined ? u.slots[0]!.op : batchOf(u.slots.map((s) => s.op as Command));
}

/** The exact script `apply` would run, with each group headed by what it does. */
export function scriptOf(steps: readonly Step[]): string {
  const out: string[] = [];
  for (const u of unitsOf(steps)) {
    const descs = [...new Set(u.slots.map((s) => steps[s.step]!.description))];
    out.push(`# ${descs.length > 3 ? `${descs.slice(0, 2).join('; ')}; … (${descs.length} steps)` : descs.join('; ')}`);
    out.push(toShell(unitCommand(u)));
  }
  return out.join('\n') + (out.length ? '\n' : '');
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

function crash(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
}

class Failure extends Error {
  constructor(readonly step: number, readonly reason: Error) {
    super(reason.message);
  }
}

export const injected = (cmd: Op): Outcome => ({
  argv: ['(injected fault)'], exitCode: 1, stdout: '', stderr: `injected fault before: ${toShell(cmd).split('\n')[0]}`, durationMs: 0,
});

/**
 * Run the steps' ops in order. If anything fails, every step that had begun is reverted,
 * newest first, and an ApplyError names the failed step, command and stderr.
 */
export async function apply(steps: readonly Step[], o: ApplyOptions): Promise<void> {
  const applied = new Array<number>(steps.length).fill(0);
  const units = unitsOf(steps);
  let done = 0;

  const runUnit = async (u: Unit): Promise<void> => {
    let slots = u.slots;
    const faultIdx = o.faultAt === undefined ? -1 : slots.findIndex((s) => s.seq === o.faultAt);
    const crashIdx = o.crashAt === undefined ? -1 : slots.findIndex((s) => s.seq === o.crashAt);
    if (faultIdx >= 0) slots = slots.slice(0, faultIdx);
    if (crashIdx >= 0) slots = slots.slice(0, crashIdx);
    while (slots.length) {
      const unit = { slots, key: u.key };
      const op = unitCommand(unit);
      if (op.kind === 'cmd') {
        const out = await o.runner.run(op);
        if (out.exitCode !== 0) {
          const { index: ok, known } = failedLine(out.stderr, slots);
          for (const s of slots.slice(0, ok)) applied[s.step]!++;
          const bad = slots[ok]!;
          // Not knowing which line failed, count it as begun: its undo tolerates absence.
          if (!known) applied[bad.step]!++;
          if ((bad.op as Command).absentOk && classify(out) === 'not-found') {
            // Deleting what is already gone: done. Go on with the rest of the batch.
            applied[bad.step]!++;
            slots = slots.slice(ok + 1);
            continue;
          }
          throw new Failure(bad.step, new CommandError(bad.op as Command, out, steps[bad.step]!.description));
        }
      } else {
        await o.runner.file(op).catch((e: Error) => {
          throw new Failure(slots[0]!.step, e);
        });
      }
      for (const s of slots) applied[s.step]!++;
      break;
    }
    if (crashIdx >= 0) crash();
    if (faultIdx >= 0) {
      const bad = u.slots[faultIdx]!;
      const cmd = bad.op.kind === 'cmd' ? bad.op : ({ kind: 'cmd', file: '(file)', args: [toShell(bad.op)], mutates: true } as Command);
      throw new Failure(bad.step, new CommandError(cmd, injected(bad.op), steps[bad.step]!.description));
    }
    o.onProgress?.(++done, units.length);
  };

  // Start the process work first (the spawn happens before run() first awaits), then do the
  // in-process work while it runs; both finish before the plan goes on.
  const overlap = async (proc: () => Promise<void>, inProcess: () => Promise<void>): Promise<void> => {
    const [p, q] = await Promise.allSettled([proc(), inProcess()]);
    if (p.status === 'rejected') throw p.reason;
    if (q.status === 'rejected') throw q.reason;
  };
  const alongside = async () => {
    await o.alongside?.().catch((e: Error) => {
      throw new Failure(-1, e);
    });
  };
  const isFile = (u: Unit) => u.slots[0]!.op.kind !== 'cmd';

  try {
    for (let i = 0; i < units.length; ) {
      // File ops (/etc/netns entries) and `ip` commands never depend on each other: files are
      // written while the next ip process runs. Other processes (mount) may need a file first.
      let f = i;
      while (f < units.length && isFile(units[f]!)) f++;
      if (f < units.length && f > i && unitCommand(units[f]!).kind === 'cmd' && (unitCommand(units[f]!) as Command).file !== 'ip') {
        for (const u of units.slice(i, f)) await runUnit(u);
        i = f;
      }
      const files = units.slice(i, f);
      // Batches inside different container namespaces are independent: run them side by side.
      let j = f;
      while (j < units.length && units[j]!.key) j++;
      const group = j - f > 1 ? units.slice(f, j) : units.slice(f, f + 1);
      i = f + group.length;
      const last = i === units.length;
      await overlap(
        async () => {
          if (group.length > 1) await runParallel(group, o.concurrency ?? 4, runUnit);
          else if (group.length) await runUnit(group[0]!);
        },
        async () => {
          for (const u of files) await runUnit(u);
          if (last) await alongside();
        },
      );
    }
    if (units.length === 0) await alongside();
    if (o.crashAt !== undefined && o.crashAt === units.reduce((n, u) => n + u.slots.length, 0) + 1) crash();
  } catch (e) {
    const f = e instanceof Failure ? e : new Failure(-1, e as Error);
    const revertErrors = await revert(steps, applied, o);
    o.log?.warn({ step: steps[f.step]?.id, err: f.reason.message, reverted: applied.filter((n) => n > 0).length }, 'apply failed; reverted');
    const undo = revertErrors.length ? ` (and ${revertErrors.length} undo command(s) failed: ${revertErrors.map((r) => r.message).join('; ')})` : '; what had been done was undone';
    throw new ApplyError(`${f.reason.message}${undo}`, revertErrors, { cause: f.reason });
  }
}

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

/** Undo every step that had begun, newest first; absence is success; collect the rest. */
async function revert(steps: readonly Step[], applied: readonly number[], o: ApplyOptions): Promise<Error[]> {
  const errors: Error[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    if (!applied[i]) continue;
    for (const op of steps[i]!.revert) {
      try {
        if (op.kind === 'cmd') {
          const out = await o.runner.run(op);
          if (out.exitCode !== 0 && classify(out) !== 'not-found') errors.push(new CommandError(op, out, `undo ${steps[i]!.description}`));
        } else {
          await o.runner.file(op);
        }
      } catch (e) {
        errors.push(e as Error);
      }
    }
  }
  return errors;
}
