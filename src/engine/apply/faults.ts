// Fault and crash injection for tests (NSLAB_FAULT_AT, NSLAB_CRASH_AT), wrapped around a unit runner.
import type { Command, Op } from '../../exec/command.js';
import { CommandError, type Outcome } from '../../exec/outcome.js';
import { toShell } from '../../exec/shell.js';
import type { Step } from '../step.js';
import { Failure, type StepFailure } from './run.js';
import type { Unit } from './units.js';

/** The outcome an injected fault reports in place of running `cmd`. */
export const injected = (cmd: Op): Outcome => ({
  argv: ['(injected fault)'], exitCode: 1, stdout: '', stderr: `injected fault before: ${toShell(cmd).split('\n')[0]}`, durationMs: 0,
});

function crash(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
}

const injectedError = (op: Op, fileArgs: readonly string[], what: string): CommandError =>
  new CommandError(op.kind === 'cmd' ? op : ({ kind: 'cmd', file: '(file)', args: fileArgs, mutates: true } as Command), injected(op), what);

/**
 * `run` for `apply`, with injection: the ops of a unit before op `faultAt` (1-based over the
 * plan) run, then that op fails; the ops before op `crashAt` run, then this process is killed
 * with SIGKILL. Without either, `run` itself. Calls `run` before any await (see runWaves).
 */
export function withFaults(run: (u: Unit) => Promise<void>, steps: readonly Step[], at: { faultAt?: number; crashAt?: number }): (u: Unit) => Promise<void> {
  if (at.faultAt === undefined && at.crashAt === undefined) return run;
  return async (u) => {
    const faultIdx = at.faultAt === undefined ? -1 : u.slots.findIndex((s) => s.seq === at.faultAt);
    const crashIdx = at.crashAt === undefined ? -1 : u.slots.findIndex((s) => s.seq === at.crashAt);
    if (faultIdx < 0 && crashIdx < 0) return run(u);
    let slots = u.slots;
    if (faultIdx >= 0) slots = slots.slice(0, faultIdx);
    if (crashIdx >= 0) slots = slots.slice(0, crashIdx);
    if (slots.length) await run({ slots, key: u.key });
    if (crashIdx >= 0) crash();
    const bad = u.slots[faultIdx]!;
    throw new Failure(bad.step, injectedError(bad.op, [toShell(bad.op)], steps[bad.step]!.description));
  };
}

/** NSLAB_CRASH_AT one past the last op: die after the whole plan and the caller's state save. */
export function crashAfterAll(crashAt: number | undefined, ops: number): void {
  if (crashAt !== undefined && crashAt === ops + 1) crash();
}

/**
 * `run` for removal, with injection: op `faultAt` is reported as failed without running, and
 * the ops of its unit before and after it run as usual (a batch is split around it).
 */
export function withFaultsAll(run: (u: Unit) => Promise<StepFailure[]>, steps: readonly Step[], faultAt: number | undefined): (u: Unit) => Promise<StepFailure[]> {
  if (faultAt === undefined) return run;
  return async (u) => {
    const i = u.slots.findIndex((s) => s.seq === faultAt);
    if (i < 0) return run(u);
    const bad = u.slots[i]!;
    const before = i > 0 ? await run({ slots: u.slots.slice(0, i), key: u.key }) : [];
    const fault: StepFailure = { step: steps[bad.step]!, error: injectedError(bad.op, [], steps[bad.step]!.description) };
    const after = i + 1 < u.slots.length ? await run({ slots: u.slots.slice(i + 1), key: u.key }) : [];
    return [...before, fault, ...after];
  };
}
