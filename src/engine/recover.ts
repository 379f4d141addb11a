// Recovery: what an interrupted create or connect left half-built (named in the intent file) is
// torn down and unrecorded before the next change runs.
import { listNetns } from '../kernel/netns.js';
import type { Intent } from '../state/intent.js';
import type { State } from '../state/types.js';
import { detachSteps } from './containers.js';
import { execute, type EngineContext } from './context.js';
import { hostsSteps } from './hosts-files.js';
import { planContainerRemove } from './plan-container.js';
import type { Save } from './save.js';
import { backendsInUse, observeFirewalls } from './firewalls.js';
import { unpublishSteps } from './ports.js';

/**
 * Tear down the containers and endpoints `intent` names and drop their records (those still
 * recorded with the same id); hosts files a connect may have rewritten are written back as the
 * records say. Idempotent: what is already gone is success. The caller clears the intent.
 */
export async function recoverInterrupted(ctx: EngineContext, state: State, save: Save, intent: Intent): Promise<void> {
  const { containers: half, endpoints = [] } = intent;
  if (!half.length && !endpoints.length) return;
  const netns = await listNetns();
  ctx.log.warn({ containers: half.map((c) => c.name), endpoints: endpoints.map((e) => `${e.container}/${e.endpoint.ifname}`) }, 'removing what an interrupted run left half-built');
  const recorded = half.filter((c) => state.containers[c.name]?.id === c.id);
  for (const c of recorded) delete state.containers[c.name];
  let changed = recorded.length > 0;
  for (const { container, endpoint } of endpoints) {
    const eps = state.containers[container]?.endpoints;
    const i = eps?.findIndex((e) => e.ifname === endpoint.ifname && e.network === endpoint.network) ?? -1;
    if (i >= 0) changed = !!eps!.splice(i, 1);
  }
  const touched = [...new Set(endpoints.map((e) => e.container))].map((n) => state.containers[n]).filter((c) => !!c);
  // A half-made container's port rules carry its name: they go with it.
  const publishing = half.filter((c) => (c.ports ?? []).length);
  const live = publishing.length ? await observeFirewalls(ctx, backendsInUse(ctx, Object.values(state.networks))) : new Map();
  await execute(ctx, [
    ...publishing.flatMap((c) => unpublishSteps(ctx, c.name, live)),
    ...endpoints.flatMap(({ container, endpoint: e }) => detachSteps(state, container, e, ' (an interrupted connect made it)')),
    ...half.flatMap((c) => planContainerRemove(c.name, netns.has(c.name))),
    // Files a connect rewrote, and the other containers' files that may name what the run half-built.
    ...hostsSteps(state.containers, [...touched, ...half, ...endpoints.map((x) => ({ name: x.container, endpoints: [x.endpoint] }))]),
  ]);
  if (changed) await save();
}
