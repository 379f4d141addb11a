// What `up` of a lab would do against the live kernel, object by object: add (+), change (~)
// or remove (-), read from the same resolution `up` runs and the drift the planners find.
import { driverOf } from '../drivers/registry.js';
import { NslabError } from '../errors.js';
import type { HostView } from '../kernel/observe.js';
import { ipv4Subnet, primaryAddress } from '../state/families.js';
import type { ContainerRecord, NetworkRecord, State } from '../state/types.js';
import { checkState } from './check.js';
import { resolveContainers } from './containers.js';
import type { EngineContext } from './context.js';
import type { FirewallViews } from './firewalls.js';
import { networkModeOf, parseNetworkInput, type ContainerSpec, type NetworkSpec } from './inputs.js';
import { DEFAULT_NETWORK } from './names.js';
import { prepareNetwork } from './networks.js';
import { hostSide, portsOf } from './publish.js';

/** One line of a plan. */
export interface PlanItem {
  /** + add, ~ change, - remove. */
  action: '+' | '~' | '-';
  kind: 'network' | 'container';
  name: string;
  /** What: the objects a create makes, or what is wrong with what exists. */
  what: string;
  /** Why `up` would refuse to go on (it changes nothing then), when it would. */
  refused?: string;
}

/** The objects a new network brings, in the lab's words. */
function networkObjects(n: NetworkRecord): string {
  const v4 = ipv4Subnet(n);
  const nat = n.internal ? 'internal: no way out' : n.driver === 'bridge' && (n as { masquerade?: boolean }).masquerade === false ? 'no MASQUERADE' : `MASQUERADE for ${v4.subnet}`;
  return `${driverOf(n).hostLinks(n).map((l) => `${n.driver} ${l}`).join(', ')}, subnet ${v4.subnet}${v4.ipRange ? ` (range ${v4.ipRange})` : ''}, gateway ${v4.gateway} on it, ${nat}`;
}

/** The objects a new container brings. */
function containerObjects(c: ContainerRecord, nets: Record<string, NetworkRecord>): string {
  const parts = c.mode === 'container' || c.mode === 'host' ? [`network mode ${networkModeOf(c)}`] : [`namespace ${c.name}`];
  c.endpoints.forEach((e, i) => {
    const a = primaryAddress(e);
    const links = nets[e.network] ? driverOf(nets[e.network]!).endpointLinks(e).join(', ') : '';
    parts.push(`${links ? `veth ${links} ↔ ` : ''}${e.ifname} ${a.ip}/${a.prefix} on ${e.network}${i === 0 && a.gateway && !nets[e.network]?.internal ? `, default route via ${a.gateway}` : ''}`);
  });
  const ports = portsOf(c).map((p) => `${hostSide(p)} → ${p.containerPort}`);
  if (ports.length) parts.push(`publishing ${ports.join(', ')}`);
  return parts.join('; ');
}

const refusal = (e: unknown): string => {
  if (e instanceof NslabError && e.exitCode === 2) return e.message;
  throw e;
};

/**
 * What `up` of these networks and containers would do to the host as it is (`view`, `live`),
 * resolved as `up` resolves them against a copy of the records. Reads only; changes nothing.
 */
export async function planLab(
  ctx: EngineContext, state: State, view: HostView, live: FirewallViews, netSpecs: readonly NetworkSpec[], specs: readonly ContainerSpec[],
): Promise<PlanItem[]> {
  const copy = <T extends object>(o: T): T => Object.assign(Object.create(Object.getPrototypeOf(o) as object) as T, o);
  const draft: State = { ...state, networks: copy(state.networks), containers: copy(state.containers) };
  const items: PlanItem[] = [];
  const mine = new Set([...netSpecs.map((n) => `network ${n.name}`), ...specs.filter((s) => state.containers[s.name]).map((s) => `container ${s.name}`)]);
  // What `up` mends of what exists: the drift the planners find (see check), for this file's objects only.
  const { drift } = await checkState(ctx, state, view, live, mine);
  const driftOf = (kind: PlanItem['kind'], name: string) => drift.filter((d) => d.owner === `${kind} ${name}`)
    .map((d): PlanItem => ({ action: '~', kind, name, what: d.what, ...(d.kind === 'conflict' ? { refused: 'not this lab\'s: left alone' } : {}) }));
  const prepare = (spec: NetworkSpec) => {
    const existing = state.networks[spec.name];
    try {
      const rec = prepareNetwork(ctx, draft, spec, view);
      draft.networks[rec.name] = rec;
      items.push(...(existing ? driftOf('network', spec.name) : [{ action: '+' as const, kind: 'network' as const, name: spec.name, what: networkObjects(rec) }]));
    } catch (e) {
      items.push({ action: existing ? '~' : '+', kind: 'network', name: spec.name, what: existing ? 'its settings in the file differ from the record' : 'a new network', refused: refusal(e) });
    }
  };
  for (const n of netSpecs) prepare(n);
  if (specs.some((s) => s.networks.includes(DEFAULT_NETWORK)) && !draft.networks[DEFAULT_NETWORK]) prepare(parseNetworkInput({ name: DEFAULT_NETWORK }));
  const nets: Record<string, NetworkRecord> = Object.create(null) as Record<string, NetworkRecord>;
  const missing = [...new Set(specs.flatMap((s) => s.networks))].filter((n) => !(nets[n] = draft.networks[n]!));
  let fresh: ContainerRecord[] | undefined;
  let why: string | undefined;
  if (missing.length) why = `network: no such network "${missing[0]}"`;
  else {
    try {
      fresh = (await resolveContainers(ctx, draft, specs, nets)).fresh;
    } catch (e) {
      why = refusal(e);
    }
  }
  for (const s of specs) {
    const rec = fresh?.find((f) => f.name === s.name);
    if (rec) items.push({ action: '+', kind: 'container', name: s.name, what: containerObjects(rec, nets) });
    else if (!state.containers[s.name]) items.push({ action: '+', kind: 'container', name: s.name, what: 'a new container', ...(why ? { refused: why } : {}) });
    else items.push(...driftOf('container', s.name));
  }
  // A refusal about a container already recorded (other settings, a missing namespace) is said once, on its own line.
  if (why && !items.some((i) => i.refused === why)) {
    const who = specs.find((s) => why!.includes(`container ${s.name} `))?.name ?? specs[0]?.name ?? '';
    items.push({ action: '~', kind: 'container', name: who, what: 'the file and what exists disagree', refused: why });
  }
  return items;
}
