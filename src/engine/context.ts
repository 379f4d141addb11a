// What every engine operation needs: the runner, the firewall, the logger and how to apply.
import type { Logger } from 'pino';
import type { Firewall } from '../firewall/firewall.js';
import type { FirewallBackendName } from '../state/types.js';
import type { Runner } from '../exec/runner.js';
import type { ResolvSettings } from '../kernel/netns-files.js';
import { apply, scriptOf } from './apply.js';
import { byPhase, type Step } from './step.js';
import { applyAll, type StepFailure } from './teardown.js';

export interface EngineContext {
  readonly runner: Runner;
  /** Every firewall backend, by name: a network's rules are planned by the one it records. */
  readonly firewalls: Readonly<Record<FirewallBackendName, Firewall>>;
  /** The backend new networks get unless their request names one. */
  readonly firewallDefault: FirewallBackendName;
  readonly log: Logger;
  /** Print plans instead of running them. */
  readonly dryRun: boolean;
  /** Where dry-run scripts go. */
  readonly emit: (script: string) => void;
  /** Tell the user about a change to the host they did not ask for by name (one line). */
  readonly notice: (line: string) => void;
  readonly hostResolvers: () => ResolvSettings;
  readonly faultAt?: number;
  readonly crashAt?: number;
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Apply steps in phase order, or print them as a script in dry-run. `alongside` runs while the
 * last process does (see ApplyOptions); it is not called in dry-run.
 */
export async function execute(ctx: EngineContext, steps: readonly Step[], alongside?: () => Promise<void>): Promise<void> {
  const ordered = byPhase(steps);
  if (ordered.length === 0) return;
  for (const s of ordered) ctx.log.debug({ step: s.id }, s.description);
  if (ctx.dryRun) {
    ctx.emit(scriptOf(ordered));
    return;
  }
  await apply(ordered, { runner: ctx.runner, log: ctx.log, faultAt: ctx.faultAt, crashAt: ctx.crashAt, concurrency: ctx.concurrency, onProgress: ctx.onProgress, alongside });
}

/**
 * Removal: run every step in phase order, going on past failures, and return them (none in
 * dry-run, where the script is printed). Nothing is reverted.
 */
export async function executeAll(ctx: EngineContext, steps: readonly Step[]): Promise<StepFailure[]> {
  const ordered = byPhase(steps);
  if (ordered.length === 0) return [];
  for (const s of ordered) ctx.log.debug({ step: s.id }, s.description);
  if (ctx.dryRun) {
    ctx.emit(scriptOf(ordered));
    return [];
  }
  return applyAll(ordered, { runner: ctx.runner, log: ctx.log, faultAt: ctx.faultAt, onProgress: ctx.onProgress });
}
