// Which firewall backend holds a network's rules, and what the engine tells it of the network.
import type { Firewall, FirewallView, NetworkFirewallSpec } from '../firewall/firewall.js';
import { DEFAULT_FIREWALL_BACKEND } from '../firewall/registry.js';
import { driverOf } from '../drivers/registry.js';
import type { FirewallBackendName, NetworkRecord } from '../state/types.js';
import type { EngineContext } from './context.js';

/** The network as its firewall backend sees it (its driver says which host interface its traffic crosses). */
export function firewallSpec(n: NetworkRecord): NetworkFirewallSpec {
  return driverOf(n).firewallSpec(n);
}

/** The backend holding network `n`'s rules (records written before the choice existed: iptables). */
export const backendOf = (n: Pick<NetworkRecord, 'firewall'>): FirewallBackendName => n.firewall ?? DEFAULT_FIREWALL_BACKEND;

export const firewallOf = (ctx: EngineContext, n: Pick<NetworkRecord, 'firewall'>): Firewall => ctx.firewalls[backendOf(n)];

/** Each backend's view of the host, by backend name. */
export type FirewallViews = ReadonlyMap<FirewallBackendName, FirewallView>;

/**
 * The backends that matter for a lab: the one new networks get, and those its records use.
 * A backend no network uses is never read (a host managed with `none` may lack iptables).
 */
export function backendsInUse(ctx: EngineContext, networks: Iterable<Pick<NetworkRecord, 'firewall'>>): FirewallBackendName[] {
  return [...new Set([ctx.firewallDefault, ...[...networks].map(backendOf)])];
}

/** Read the host through each of `backends`. Changes nothing. */
export async function observeFirewalls(ctx: EngineContext, backends: readonly FirewallBackendName[]): Promise<FirewallViews> {
  const views = await Promise.all(backends.map(async (b) => [b, await ctx.firewalls[b].observe(ctx.runner)] as const));
  return new Map(views);
}

/** The view of `n`'s backend in `views` (observed by backendsInUse, which always includes it). */
export function viewOf(views: FirewallViews, n: Pick<NetworkRecord, 'firewall'>): FirewallView {
  const v = views.get(backendOf(n));
  if (!v) throw new Error(`internal: the ${backendOf(n)} firewall was not observed`);
  return v;
}

/**
 * Read the host through every backend nslab has (rebuild-state, when no record says which are
 * used); one that cannot read (no iptables on this host) is skipped, unless it is the default.
 */
export async function observeAllFirewalls(ctx: EngineContext): Promise<FirewallViews> {
  const views = await Promise.all(Object.entries(ctx.firewalls).map(async ([b, fw]) => {
    try {
      return [[b as FirewallBackendName, await fw.observe(ctx.runner)] as const];
    } catch (e) {
      if (b === ctx.firewallDefault) throw e;
      return [];
    }
  }));
  return new Map(views.flat());
}
