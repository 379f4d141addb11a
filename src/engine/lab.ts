// A whole lab resolved before anything is touched: what `up` and a first use of the default
// network would refuse is refused (exit 2) with the kernel unchanged.
import { driverOf } from '../drivers/registry.js';
import { observeHost, type HostView } from '../kernel/observe.js';
import type { NetworkRecord, State } from '../state/types.js';
import { resolveContainers } from './containers.js';
import type { EngineContext } from './context.js';
import { backendsInUse, firewallOf, observeFirewalls, viewOf, type FirewallViews } from './firewalls.js';
import { parseNetworkInput, type ContainerSpec, type NetworkSpec } from './inputs.js';
import { DEFAULT_NETWORK } from './names.js';
import { prepareNetwork, requireNetwork } from './networks.js';

/**
 * Resolve a whole lab (its networks, the default one if used, then its containers) against
 * a copy of the records and the host as it is, so that anything the lab would refuse is
 * refused before the kernel is touched. Changes nothing. Returns what it observed, for the
 * first change that follows (nothing has changed the host in between).
 */
export async function resolveLab(
  ctx: EngineContext, state: State, netSpecs: readonly NetworkSpec[], specs: readonly ContainerSpec[],
): Promise<{ view: HostView; live: FirewallViews }> {
  // Shallow copies keep the records' prototype (lookups by name must not reach Object.prototype).
  const copy = <T extends object>(o: T): T => Object.assign(Object.create(Object.getPrototypeOf(o) as object) as T, o);
  const draft: State = { ...state, networks: copy(state.networks), containers: copy(state.containers) };
  const view = await observeHost(ctx.runner);
  const prepared: NetworkRecord[] = [];
  const prepare = (spec: NetworkSpec): NetworkRecord => {
    const rec = prepareNetwork(ctx, draft, spec, view);
    prepared.push(rec);
    draft.networks[rec.name] = rec;
    return rec;
  };
  for (const n of netSpecs) prepare(n);
  const nets: Record<string, NetworkRecord> = {};
  for (const name of new Set(specs.flatMap((s) => s.networks))) {
    nets[name] = draft.networks[name] ?? (name === DEFAULT_NETWORK ? prepare(parseNetworkInput({ name })) : requireNetwork(draft, name));
  }
  const live = await observeFirewalls(ctx, backendsInUse(ctx, prepared));
  // The driver refuses a network whose host object a foreign link holds.
  for (const rec of prepared) driverOf(rec).setup(rec, view, { fw: firewallOf(ctx, rec), live: viewOf(live, rec) });
  await resolveContainers(ctx, draft, specs, nets);
  return { view, live };
}
