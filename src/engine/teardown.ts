// Best-effort removal, as netavark's teardown: every step is tried, failures are collected.
import type { Logger } from 'pino';
import type { Command } from '../exec/command.js';
import { CommandError, classify } from '../exec/outcome.js';
import type { Runner } from '../exec/runner.js';
import { failedLine, injected, unitCommand, unitsOf } from './apply.js';
import type { Step } from './step.js';

export interface StepFailure {
  readonly step: Step;
  readonly error: Error;
}

/**
 * Run every op of every step, in order and batched as `apply` does, going on past failures:
 * a removal step does not depend on the one before it. Absence is success. Nothing is
 * reverted (there is nothing to put back). Returns one failure per op that failed.
 */
export async function applyAll(steps: readonly Step[], o: { runner: Runner; log?: Logger; faultAt?: number }): Promise<StepFailure[]> {
  const failures: StepFailure[] = [];
  for (const u of unitsOf(steps)) {
    let slots = u.slots;
    while (slots.length) {
      const fault = slots.findIndex((s) => s.seq === o.faultAt);
      if (fault === 0) {
        const op = slots[0]!.op;
        const cmd = op.kind === 'cmd' ? op : ({ kind: 'cmd', file: '(file)', args: [], mutates: true } as Command);
        failures.push({ step: steps[slots[0]!.step]!, error: new CommandError(cmd, injected(op), steps[slots[0]!.step]!.description) });
        slots = slots.slice(1);
        continue;
      }
      const run = fault > 0 ? slots.slice(0, fault) : slots;
      const op = unitCommand({ slots: run, key: u.key });
      if (op.kind !== 'cmd') {
        await o.runner.file(op).catch((e: Error) => failures.push({ step: steps[run[0]!.step]!, error: e }));
        slots = slots.slice(1);
        continue;
      }
      const out = await o.runner.run(op);
      if (out.exitCode === 0) {
        slots = slots.slice(run.length);
        continue;
      }
      const bad = run[failedLine(out.stderr, run).index]!;
      if (!((bad.op as Command).absentOk && classify(out) === 'not-found')) {
        failures.push({ step: steps[bad.step]!, error: new CommandError(bad.op as Command, out, steps[bad.step]!.description) });
      }
      slots = slots.slice(slots.indexOf(bad) + 1);
    }
  }
  for (const f of failures) o.log?.warn({ step: f.step.id, err: f.error.message }, 'removal step failed; going on');
  return failures;
}
