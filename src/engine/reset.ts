// reset: everything this lab owns goes, recorded or only marked; best effort throughout.
import { IncompleteError } from '../errors.js';
import { observeHost } from '../kernel/observe.js';
import { emptyState, type State } from '../state/types.js';
import { removeContainers } from './container-remove.js';
import { executeAll, type EngineContext } from './context.js';
import { backendsInUse, observeFirewalls } from './firewalls.js';
import { planGc } from './gc.js';
import { attachedTo, removeNetworks, removeSharedSteps } from './networks.js';
import type { Save } from './save.js';

/**
 * Remove the recorded containers and networks the usual way, and whatever else carries this
 * lab's mark as gc does (namespaces, files, veths, then bridges and rules of unrecorded
 * networks), then what the networks share. Each failure is reported and the rest goes on;
 * what failed stays recorded (IncompleteError). Running it twice is fine.
 */
export async function resetLab(ctx: EngineContext, state: State, save: Save): Promise<void> {
  const messages = (failed: ReadonlyArray<{ error: Error }>) => failed.map((f) => f.error.message);
  const { failures } = await removeContainers(ctx, state, Object.keys(state.containers), save);
  const backends = backendsInUse(ctx, Object.values(state.networks));
  const [view, live] = await Promise.all([observeHost(ctx.runner), observeFirewalls(ctx, backends)]);
  failures.push(...messages(await executeAll(ctx, planGc(ctx, state, view, live).steps)));
  const names = Object.keys(state.networks).filter((n) => !attachedTo(state, n).length);
  if (names.length) failures.push(...(await removeNetworks(ctx, state, names, save)).failures);
  for (const n of Object.keys(state.networks)) if (!names.includes(n)) failures.push(`network ${n} kept: ${attachedTo(state, n).join(', ')} could not be removed`);
  if (!Object.keys(state.networks).length || ctx.dryRun) failures.push(...messages(await executeAll(ctx, removeSharedSteps(ctx, await observeFirewalls(ctx, backends)))));
  if (failures.length && !ctx.dryRun) {
    await save();
    throw new IncompleteError(failures);
  }
  if (!ctx.dryRun) {
    Object.assign(state, emptyState());
    await save();
  }
}
