// explain's plan: the steps `up` would run for the recorded networks and containers, planned by
// the same planners against an empty host, each against what the earlier ones left on paper.
import { NotFoundError } from '../../errors.js';
import { driverOf } from '../../drivers/registry.js';
import { onLoopback, type FirewallView } from '../../firewall/firewall.js';
import type { HostView } from '../../kernel/observe.js';
import type { ContainerRecord, FirewallBackendName, NetworkRecord, State } from '../../state/types.js';
import type { EngineContext } from '../context.js';
import { backendOf, firewallOf, firewallSpec, type FirewallViews } from '../firewalls.js';
import { removeSharedSteps } from '../networks.js';
import { planContainer, type ContainerContext } from '../plan-container.js';
import { portTarget, publishSteps } from '../ports.js';
import { byPhase, type Step } from '../step.js';
import { PaperRuleset } from './paper.js';

/** What explain needs of an engine context: the firewall backends and the host's resolvers. */
export type ExplainContext = Pick<EngineContext, 'firewalls' | 'hostResolvers'>;

/** Stands for the shell's own pid in `ip netns attach NAME PID` (host mode): the script prints `$$`. */
export const SHELL_PID = 0;

/** A host with nothing of nslab's on it (and br_netfilter present: no modprobe line). */
const emptyHost = (): HostView => ({ links: [], addrs: [], routes: [], netns: new Set(), ipForward: undefined, bridgeNfIptables: '0' });

export interface Explained {
  networks: NetworkRecord[];
  containers: ContainerRecord[];
  /** Build steps, in the order the script runs them. */
  build: Step[];
  /** Teardown steps: the build's reverts in reverse, then the shared chains. */
  teardown: Step[];
  /** Lines for the script's head: what must exist first, what no command builds. */
  notes: string[];
}

/**
 * The networks and containers `names` select (every record when empty): a container brings its
 * networks; a name that is neither is refused (exit 2).
 */
function select(state: State, names: readonly string[]): { networks: NetworkRecord[]; containers: ContainerRecord[] } {
  const all = !names.length;
  for (const n of names) if (!Object.hasOwn(state.networks, n) && !Object.hasOwn(state.containers, n)) throw new NotFoundError(`name: no network or container named "${n}" is recorded`);
  const containers = Object.values(state.containers).filter((c) => all || names.includes(c.name));
  const nets = new Set([...names, ...containers.flatMap((c) => c.endpoints.map((e) => e.network))]);
  const networks = Object.values(state.networks).filter((n) => all || nets.has(n.name));
  return { networks, containers };
}

type Item = { kind: 'network'; rec: NetworkRecord } | { kind: 'container'; rec: ContainerRecord };

/**
 * Networks and containers in the order nslab made them (rules of later ones follow earlier
 * ones in the shared chains), a container no earlier than its last network (one it was
 * connected to later); on a tie, networks first.
 */
function inBuildOrder(state: State, networks: readonly NetworkRecord[], containers: readonly ContainerRecord[]): Item[] {
  const at = (i: Item): string => i.kind === 'network' ? i.rec.created
    : [i.rec.created, ...i.rec.endpoints.map((e) => state.networks[e.network]?.created ?? '')].sort().at(-1)!;
  const items: Item[] = [...networks.map((rec) => ({ kind: 'network' as const, rec })), ...containers.map((rec) => ({ kind: 'container' as const, rec }))];
  return items.map((i, n) => ({ i, n, at: at(i) })).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.n - b.n)).map((x) => x.i);
}

/** Plan what the selection builds and tears down; pure but for reading the host's resolvers. Same records, same script. */
export async function explainPlan(ctx: ExplainContext, state: State, names: readonly string[] = []): Promise<Explained> {
  const { networks, containers } = select(state, names);
  const paper = new Map<FirewallBackendName, PaperRuleset>();
  const views = async (): Promise<FirewallViews> => {
    const out = new Map<FirewallBackendName, FirewallView>();
    for (const b of new Set([...networks.map(backendOf)])) {
      if (!paper.has(b)) paper.set(b, new PaperRuleset());
      out.set(b, await ctx.firewalls[b].observe(paper.get(b)!.runner()));
    }
    return out;
  };
  const build: Step[] = [];
  const take = (steps: readonly Step[], backend?: FirewallBackendName) => {
    // Steps every network shares (ip_forward) run once.
    const fresh = byPhase(steps).filter((s) => !build.some((b) => b.id === s.id));
    build.push(...fresh);
    if (backend) paper.get(backend)?.apply(fresh.flatMap((s) => s.apply));
  };
  const cx: ContainerContext = { nets: state.networks, host: ctx.hostResolvers(), containers: state.containers, hostPid: SHELL_PID };
  // A student's host is assumed to have conntrack (nslab doctor says when it has not).
  const localnet = { routeLocalnet: new Map<string, string | undefined>(), conntrack: true };
  const notes: string[] = [];
  for (const item of inBuildOrder(state, networks, containers)) {
    if (item.kind === 'network') {
      const n = item.rec;
      const live = (await views()).get(backendOf(n))!;
      take(driverOf(n).setup(n, emptyHost(), { fw: firewallOf(ctx as EngineContext, n), live }), backendOf(n));
      continue;
    }
    const c = item.rec;
    if (c.mode === 'container' && !containers.some((o) => o.name === c.shares)) notes.push(`${c.name} shares the namespace of ${c.shares}: build ${c.shares} first (nslab explain ${c.shares})`);
    const first = c.endpoints[0] && state.networks[c.endpoints[0].network];
    const ports = publishSteps(ctx as EngineContext, c, state.networks, await views(), undefined, localnet);
    take([...planContainer(c, cx), ...ports], first ? backendOf(first) : undefined);
    // route_localnet is set once per bridge, as publishPlans does.
    const t = portTarget(c, state.networks);
    if (t?.ports.ports.some(onLoopback)) localnet.routeLocalnet.set(firewallSpec(t.net).iface, '1');
  }
  if (names.length && networks.length < Object.keys(state.networks).length && build.some((s) => s.id.endsWith('/firewall'))) {
    notes.push("the iptables-restore inputs declare nslab's shared chains (:NSLAB-… - [0:0]); where other nslab networks already have rules in them, a declaration empties the chain: run this where those chains do not exist yet");
  }
  return { networks, containers, build, teardown: await teardownOf(ctx, build, paper), notes };
}

/** The build's reverts, last step first, then what the networks share once their rules are gone on paper. */
async function teardownOf(ctx: ExplainContext, build: readonly Step[], paper: Map<FirewallBackendName, PaperRuleset>): Promise<Step[]> {
  const steps = [...build].reverse().filter((s) => s.revert.length).map((s) => ({ ...s, apply: s.revert, revert: [] }));
  const views = new Map<FirewallBackendName, FirewallView>();
  for (const [b, p] of paper) {
    p.apply(steps.flatMap((s) => s.apply));
    views.set(b, await ctx.firewalls[b].observe(p.runner()));
  }
  return [...steps, ...removeSharedSteps(ctx as EngineContext, views)];
}
