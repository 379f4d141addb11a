// Network create and remove: validation against what exists, then plan and apply.
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { rangeOf, overlaps, parseCidr4, bigToIp, type Cidr4 } from '../ipam/cidr.js';
import { pickSubnet } from '../ipam/pool.js';
import { ipv4Of } from '../kernel/addr.js';
import { BRIDGE_NF_IPTABLES } from '../kernel/sysctl.js';
import { observeHost, observeLinks, type HostView } from '../kernel/observe.js';
import { ipv4Subnet } from '../state/families.js';
import type { FirewallBackendName, NetworkBase, NetworkRecord, State } from '../state/types.js';
import { execute, executeAll, type EngineContext } from './context.js';
import type { NetworkSpec } from './inputs.js';
import { newId } from './names.js';
import { driverByName, driverOf } from '../drivers/registry.js';
import { executeRecorded, unrecordAfter, type Save } from './save.js';
import { step, type Step } from './step.js';
import type { StepFailure } from './teardown.js';
import { backendOf, backendsInUse, firewallOf, observeFirewalls, viewOf, type FirewallViews } from './firewalls.js';

type Range = Pick<Cidr4, 'first' | 'last'>;

/** Host routes and addresses that a new subnet must not overlap (nslab's own bridges excepted). */
function hostRanges(view: HostView, ownBridges: Set<string>): Array<{ range: Range; what: string }> {
  const out: Array<{ range: Range; what: string }> = [];
  for (const r of view.routes) {
    if (r.dst === 'default' || (r.dev && ownBridges.has(r.dev))) continue;
    const range = rangeOf(r.dst);
    if (range) out.push({ range, what: `the host route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}` });
  }
  for (const a of ipv4Of(view.addrs)) {
    if (ownBridges.has(a.ifname) || a.local.startsWith('127.')) continue;
    out.push({ range: rangeOf(a.local)!, what: `the host address ${a.cidr} on ${a.ifname}` });
  }
  return out;
}

/** Fill in subnet and gateway (refusing overlaps with other networks or the host), then the driver's fields. */
export function resolveNetwork(spec: NetworkSpec, state: State, view: HostView, nameservers: readonly string[], firewall: FirewallBackendName): NetworkRecord {
  const others = Object.values(state.networks).filter((n) => n.name !== spec.name);
  const own = new Set(Object.values(state.networks).flatMap((n) => driverOf(n).hostLinks(n)));
  const host = hostRanges(view, own);
  let subnet = spec.subnet;
  if (!subnet) {
    const taken: Range[] = [
      ...others.map((n) => parseCidr4(ipv4Subnet(n).subnet) as Cidr4),
      ...host.map((h) => h.range),
      ...nameservers.flatMap((ns) => rangeOf(ns) ?? []),
    ];
    subnet = pickSubnet(taken);
    if (!subnet) throw new ConflictError('subnet: every default pool overlaps something; give --subnet');
  } else {
    for (const n of others) {
      const theirs = ipv4Subnet(n).subnet;
      if (overlaps(subnet, parseCidr4(theirs) as Cidr4)) throw new ValidationError('subnet', `${subnet.text} overlaps network ${n.name} (${theirs})`);
    }
    const clash = host.find((h) => overlaps(subnet!, h.range));
    if (clash) throw new ValidationError('subnet', `${subnet.text} overlaps ${clash.what}`);
  }
  const base: NetworkBase = {
    name: spec.name,
    id: newId(),
    subnets: [{
      subnet: subnet.text,
      gateway: spec.gateway ?? bigToIp(subnet.first + 1n),
      ...(spec.ipRange ? { ipRange: spec.ipRange.text } : {}),
      auxAddresses: spec.auxAddresses,
    }],
    internal: spec.internal,
    firewall: spec.firewall ?? firewall,
    created: new Date().toISOString(),
  };
  return driverByName(spec.driver).resolve(spec, base, state, view);
}

const SETTINGS = ['subnet', 'gateway', 'ipRange', 'auxAddresses', 'internal'] as const;

/** A network's address settings by the names a request gives them. */
const settingsOf = (n: NetworkRecord): Record<string, unknown> => {
  const { subnet, gateway, ipRange, auxAddresses } = ipv4Subnet(n);
  return { subnet, gateway, ipRange, auxAddresses, internal: n.internal };
};

/** The settings in which an existing network differs from a request (empty: same network). */
function differences(existing: NetworkRecord, want: NetworkSpec, resolved: NetworkRecord): string[] {
  if (existing.driver !== resolved.driver) return [`driver ${existing.driver}, not ${resolved.driver}`];
  const have = settingsOf(existing);
  const r = settingsOf(resolved);
  const wanted: Record<string, unknown> = { ...r, subnet: want.subnet ? r.subnet : have.subnet, gateway: want.gateway ?? (want.subnet ? r.gateway : have.gateway) };
  const diff: string[] = [...driverOf(existing).differences(existing, want, resolved)];
  diff.push(...SETTINGS.filter((k) => JSON.stringify(have[k]) !== JSON.stringify(wanted[k])));
  // A network keeps the firewall backend it was made with.
  if (backendOf(existing) !== resolved.firewall) diff.push(`firewall backend ${backendOf(existing)}, not ${resolved.firewall}`);
  return diff;
}

/**
 * The record a create would leave: the existing one when the settings match (a conflict
 * otherwise), else a new one resolved against `state` and the host. Touches nothing.
 */
export function prepareNetwork(ctx: EngineContext, state: State, spec: NetworkSpec, view: HostView): NetworkRecord {
  const existing = state.networks[spec.name];
  const nameservers = ctx.hostResolvers().nameservers;
  if (existing) {
    const resolved = resolveNetwork({ ...spec, subnet: spec.subnet ?? (parseCidr4(ipv4Subnet(existing).subnet) as Cidr4) }, state, view, nameservers, ctx.firewallDefault);
    const diff = differences(existing, spec, resolved);
    if (diff.length) throw new ConflictError(`network ${spec.name} already exists with other settings (${diff.join(', ')})`);
  }
  return existing ?? resolveNetwork(spec, state, view, nameservers, ctx.firewallDefault);
}

/**
 * Create a network, or succeed changing nothing when it exists with the same settings.
 * Saves the record through `save` once the kernel objects exist.
 */
export async function createNetwork(
  ctx: EngineContext, state: State, spec: NetworkSpec, save: () => Promise<void>, seen?: { view: HostView; live: FirewallViews },
): Promise<NetworkRecord> {
  // `seen`: the host as the caller observed it just now, with nothing changed since (up: the lab's resolution).
  const view = seen?.view ?? (await observeHost(ctx.runner));
  const existing = state.networks[spec.name];
  const rec = prepareNetwork(ctx, state, spec, view);
  if (!spec.subnet && !existing && !ctx.dryRun) {
    ctx.notice(`picked subnet ${ipv4Subnet(rec).subnet} for network ${rec.name}: the first default pool that overlaps no other network, host address or route, or nameserver`);
  }
  const fw = firewallOf(ctx, rec);
  const live = seen?.live.get(backendOf(rec)) ?? (await fw.observe(ctx.runner));
  const steps = driverOf(rec).setup(rec, view, { fw, live });
  if (existing) await execute(ctx, steps);
  else {
    state.networks[rec.name] = rec; // in dry-run too, so later steps of the same request can plan on it
    // The record is written with the last step: if the write fails (a full disk), the plan is
    // reverted like any failed step, and state.json keeps what it held.
    await executeRecorded(ctx, steps, save, { unrecord: () => delete state.networks[rec.name], what: `network ${rec.name}` });
  }
  if (!ctx.dryRun && steps.some((s) => s.id === 'host/br_netfilter')) {
    ctx.notice(`network ${rec.name} has ICC off, so bridged traffic now passes through iptables (${BRIDGE_NF_IPTABLES}=1 in this network namespace); it stays on, as with Docker`);
  }
  return rec;
}

/**
 * Remove networks; absent ones are success. Refused (before anything changes) while
 * containers are attached or a bridge has ports nslab did not record. Then best effort:
 * every step is tried, failures are returned, and a network stays recorded unless all of its
 * steps succeeded. The smaller record is staged before the kernel is touched (a full disk
 * fails first, changing nothing). A backend's shared parts (nslab's chains) go with its last network.
 * `goneFirst` (dry-run only): host links that steps printed before this plan delete.
 */
export async function removeNetworks(
  ctx: EngineContext, state: State, names: readonly string[], save: Save, goneFirst: ReadonlySet<string> = new Set(),
): Promise<{ removed: string[]; failures: string[] }> {
  const recs = [...new Set(names)].map((n) => state.networks[n]).filter((n): n is NetworkRecord => !!n);
  for (const rec of recs) {
    const users = attachedTo(state, rec.name);
    if (users.length) throw new ConflictError(`network ${rec.name} has containers attached (${users.join(', ')}); remove them first`);
  }
  if (!recs.length) return { removed: [], failures: [] };
  // A teardown looks at links only (NetworkDriver.teardown): one `ip` read instead of three.
  const seen = await observeLinks(ctx.runner);
  // `goneFirst`: links a plan printed before this one removes (a dry-run reset's containers).
  const view = { ...seen, links: seen.links.filter((l) => !goneFirst.has(l.ifname)) };
  const fwViews = await observeFirewalls(ctx, backendsInUse(ctx, recs));
  const plans = new Map(recs.map((rec) => [rec, driverOf(rec).teardown(rec, view, { fw: firewallOf(ctx, rec), live: viewOf(fwViews, rec) })] as const));
  let failed: StepFailure[] = [];
  if (ctx.dryRun) failed = await executeAll(ctx, [...plans.values()].flat());
  else {
    const unrecord = () => {
      for (const rec of recs) delete state.networks[rec.name];
      return () => recs.forEach((rec) => (state.networks[rec.name] = rec));
    };
    await unrecordAfter(save, unrecord, async () => {
      failed = await executeAll(ctx, [...plans.values()].flat());
    });
  }
  const gone = ctx.dryRun ? recs : recs.filter((rec) => !failed.some((f) => plans.get(rec)!.includes(f.step)));
  const left = recs.filter((rec) => !gone.includes(rec));
  if (left.length) {
    for (const rec of left) state.networks[rec.name] = rec;
    await save();
  }
  // A backend's shared parts go with the last network that uses it (in dry-run the records stay: count without the removed).
  const remaining = new Set(Object.values(state.networks).filter((n) => !gone.includes(n)).map(backendOf));
  const done = [...new Set(gone.map(backendOf))].filter((b) => !remaining.has(b));
  if (done.length) failed.push(...(await executeAll(ctx, removeSharedSteps(ctx, ctx.dryRun ? fwViews : await observeFirewalls(ctx, done), done))));
  return { removed: gone.map((r) => r.name), failures: failed.map((f) => f.error.message) };
}

/** The steps removing what the networks of every lab share in each backend of `views` (none when something else still uses it). */
export function removeSharedSteps(ctx: EngineContext, views: FirewallViews, only?: readonly string[]): Step[] {
  return [...views].filter(([b]) => !only || only.includes(b)).flatMap(([b, v]) => {
    const cmds = ctx.firewalls[b].removeShared(v);
    return cmds.length ? [step(`firewall/${b}/shared`, "remove nslab's chains and the jumps to them (the users' chain stays if it has rules)", 'drop-shared', cmds)] : [];
  });
}

/** Names of the containers with an endpoint on network `name`. */
export function attachedTo(state: State, name: string): string[] {
  return Object.values(state.containers).filter((c) => c.endpoints.some((e) => e.network === name)).map((c) => c.name);
}

export function requireNetwork(state: State, name: string): NetworkRecord {
  const n = state.networks[name];
  if (!n) throw new NotFoundError(`network: no such network "${name}"`);
  return n;
}
