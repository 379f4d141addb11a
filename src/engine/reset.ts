// reset: everything this lab owns goes, recorded or only marked; best effort throughout.
import { IncompleteError, NslabError } from '../errors.js';
import { dict } from '../state/dict.js';
import { observeHost } from '../kernel/observe.js';
import { emptyState, type State } from '../state/types.js';
import { removeContainers } from './container-remove.js';
import { endpointLinks } from './containers.js';
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
  const gc = planGc(ctx, state, view, live);
  failures.push(...messages(await executeAll(ctx, gc.steps)));
  // In dry-run the containers stay recorded: plan the networks as if they were gone, as they would be.
  const after: State = ctx.dryRun ? { ...state, containers: dict() } : state;
  const names = Object.keys(state.networks).filter((n) => !attachedTo(after, n).length);
  // A network refused (a bridge with ports nslab did not record) is a failure like any other,
  // reported with the rest: by then containers and leftovers are gone, so never exit 2.
  // Dry-run: the kernel still holds what the printed steps above delete; plan as if it did not.
  const goneFirst = new Set(!ctx.dryRun ? [] : [
    ...Object.values(state.containers).flatMap((c) => c.endpoints.flatMap((e) => endpointLinks(state, e))),
    ...gc.removed.filter((x) => x.startsWith('link ')).map((x) => x.slice('link '.length)),
  ]);
  const remove = async (which: string[]) => {
    try {
      failures.push(...(await removeNetworks(ctx, after, which, save, goneFirst)).failures);
    } catch (e) {
      if (!(e instanceof NslabError)) throw e;
      failures.push(e.message);
    }
  };
  // Dry-run: one plan for all (it also prints the shared chains' removal once); else one at a
  // time, so that one refused network does not keep the others.
  if (ctx.dryRun) {
    if (names.length) await remove(names);
  } else {
    for (const n of names) await remove([n]);
  }
  for (const n of Object.keys(state.networks)) if (!names.includes(n)) failures.push(`network ${n} kept: ${attachedTo(state, n).join(', ')} could not be removed`);
  if (!Object.keys(state.networks).length || (ctx.dryRun && !names.length)) failures.push(...messages(await executeAll(ctx, removeSharedSteps(ctx, await observeFirewalls(ctx, backends)))));
  if (failures.length && !ctx.dryRun) {
    await save();
    throw new IncompleteError(failures);
  }
  if (!ctx.dryRun) {
    Object.assign(state, emptyState());
    await save();
  }
}
