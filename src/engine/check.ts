// Drift: what the planners would still do against the live kernel. check plans every recorded
// network and container against what it observes; each step carries the findings that made it
// needed, and the steps themselves are the repair (only what is missing: no duplicate rules).
import { driverOf } from '../drivers/registry.js';
import { listAddrs } from '../kernel/addr.js';
import { listLinks } from '../kernel/link.js';
import { etcDir, isOurs, readNetnsFile } from '../kernel/netns-files.js';
import type { HostView } from '../kernel/observe.js';
import { listRoutes } from '../kernel/route.js';
import { readSysctlsIn } from '../kernel/sysctl.js';
import type { ContainerRecord, State } from '../state/types.js';
import type { EngineContext } from './context.js';
import { firewallOf, viewOf, type FirewallViews } from './firewalls.js';
import { planGc } from './gc.js';
import { planContainer, type ContainerContext, type ContainerSeen } from './plan-container.js';
import type { Step } from './step.js';
import { publishSteps, readRouteLocalnet, type PortsSeen } from './ports.js';

/** One difference between the records and the kernel. */
export interface Drift {
  /**
   * What kind of object: link, address, route, rule, netns, file, sysctl; `conflict` when a
   * recorded name is held by something that is not this lab's (never repaired: left alone);
   * `unrecorded` for this lab's marked objects that no record explains (`nslab gc` removes them).
   */
  kind: string;
  /** The network or container it belongs to. */
  owner: string;
  /** What is wrong, in the lab's words. */
  what: string;
}

export interface CheckResult {
  drift: Drift[];
  /** Steps that restore the recorded state (empty when there is no drift). */
  repair: Step[];
  /** What check does not look at, and why (a network whose firewall nslab does not manage). */
  notes: string[];
}

/** What a symlinked /etc/netns file is reported as; the repair never writes through it. */
const LINKED = 'is a symbolic link (or in a linked directory); nslab does not write through it: left alone';

/** The drift a plan's steps mend, owned by `owner`. */
const findingsOf = (steps: readonly Step[], owner: string): Drift[] => steps.flatMap((s) => s.findings.map((f) => ({ ...f, owner })));

/** What check sees of container `c`: its files, and inside its namespace when it has its own. */
async function seeContainer(ctx: EngineContext, state: State, c: ContainerRecord, host: HostView): Promise<ContainerSeen> {
  const files = { 'resolv.conf': readNetnsFile(c.name, 'resolv.conf'), hosts: readNetnsFile(c.name, 'hosts') };
  if ((c.mode !== 'network' && c.mode !== 'none') || !host.netns.has(c.name)) return { host, files };
  const keys = c.endpoints.flatMap((e) => {
    const n = state.networks[e.network];
    return n ? driverOf(n).insideSysctls(e, n) : [];
  });
  const [links, addrs, routes, sysctls] = await Promise.all([
    listLinks(ctx.runner, c.name), listAddrs(ctx.runner, c.name), listRoutes(ctx.runner, c.name), readSysctlsIn(ctx.runner, c.name, keys),
  ]);
  return { host, files, inside: { links, addrs, routes, sysctls } };
}

/**
 * Plan every recorded network and container against the kernel: the drift is what those plans
 * would mend. `only`: just these owners ("network lab", "container c4"; `plan` and `up` of a lab
 * file), and no look for unrecorded objects.
 */
export async function checkState(ctx: EngineContext, state: State, view: HostView, live: FirewallViews, only?: ReadonlySet<string>): Promise<CheckResult> {
  const drift: Drift[] = [];
  const repair: Step[] = [];
  const notes: string[] = [];
  // Networks whose host object a foreign link holds: nothing of theirs is planned (a veth
  // enslaved to that link, or rules naming it, would touch what is not ours).
  const held = new Set<string>();
  for (const n of Object.values(state.networks)) {
    const owner = `network ${n.name}`;
    if (only && !only.has(owner)) continue;
    const fw = firewallOf(ctx, n);
    if (!fw.manages) notes.push(`network ${n.name}: the firewall is not managed by nslab (backend ${fw.name}): NAT, isolation, ICC and the source check are yours to set, and are not checked`);
    const conflict = driverOf(n).conflict(n, view);
    if (conflict) {
      drift.push({ kind: 'conflict', owner, what: conflict });
      held.add(n.name);
      continue;
    }
    const steps = driverOf(n).setup(n, view, { fw, live: viewOf(live, n) });
    drift.push(...findingsOf(steps, owner));
    // Steps shared by every network (ip_forward) are reported for each, run once.
    repair.push(...steps.filter((s) => !repair.some((r) => r.id === s.id)));
  }
  const cx: ContainerContext = { nets: state.networks, host: ctx.hostResolvers(), containers: state.containers, hostPid: process.pid };
  const portsSeen: PortsSeen = { links: view.links, routeLocalnet: await readRouteLocalnet(Object.values(state.containers), state.networks) };
  for (const c of Object.values(state.containers)) {
    const owner = `container ${c.name}`;
    if (only && !only.has(owner)) continue;
    // A namespace of that name without nslab's mark is someone else's: neither read nor repaired
    // (writing the files would even give it the mark).
    if (view.netns.has(c.name) && !isOurs(c.name)) {
      drift.push({ kind: 'netns', owner, what: `namespace ${c.name} carries no nslab mark (${etcDir(c.name)}): not nslab's, left alone` });
      continue;
    }
    const seen = await seeContainer(ctx, state, c, view);
    // A linked file means someone else's hand is in /etc/netns/NAME: reported, nothing of it repaired.
    const linked = (['resolv.conf', 'hosts'] as const).filter((f) => seen.files[f] === 'symlink');
    if (linked.length) {
      drift.push(...linked.map((f) => ({ kind: 'file', owner, what: `${etcDir(c.name, f)} ${LINKED}` })));
      continue;
    }
    // Endpoints on a held network, or whose host object is not this lab's: reported, left alone
    // (and a missing namespace is not rebuilt onto them).
    const foreign = new Set(c.endpoints.filter((e) => {
      const n = state.networks[e.network];
      const why = n && driverOf(n).endpointConflict(c.name, e, view);
      if (why) drift.push({ kind: 'conflict', owner, what: why });
      return !!why || held.has(e.network);
    }));
    if (foreign.size && !view.netns.has(c.name)) continue;
    const target = c.endpoints[0];
    const ports = target && (foreign.has(target) || held.has(target.network)) ? [] : publishSteps(ctx, c, state.networks, live, portsSeen);
    const steps = [...planContainer(c, cx, seen, (e) => foreign.has(e)), ...ports];
    drift.push(...findingsOf(steps, owner));
    repair.push(...steps);
  }
  // What carries this lab's mark and no record explains (a run killed before its record was
  // written): named, left to gc, which removes exactly these.
  for (const x of only ? [] : planGc(ctx, state, view, live).removed) {
    drift.push({ kind: 'unrecorded', owner: 'unrecorded', what: `${x} carries this lab's mark but no record explains it (\`nslab gc\` removes it)` });
  }
  return { drift, repair, notes };
}
