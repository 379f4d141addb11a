// Published ports in plans: the firewall's rules, hairpin mode on the bridge port, route_localnet
// on the bridge, stale UDP conntrack entries; planned from nothing or against what check saw.
import { onLoopback, type ContainerPorts, type PortsWanted } from '../firewall/firewall.js';
import { driverOf } from '../drivers/registry.js';
import { ip, type Command } from '../exec/command.js';
import type { LinkInfo } from '../kernel/link.js';
import { readSysctl, setSysctl } from '../kernel/sysctl.js';
import { primaryAddress } from '../state/families.js';
import type { ContainerRecord, NetworkRecord, State } from '../state/types.js';
import type { EngineContext } from './context.js';
import { backendOf, backendsInUse, firewallOf, firewallSpec, observeFirewalls, viewOf, type FirewallViews } from './firewalls.js';
import { portsOf } from './publish.js';
import { step, type Finding, type Step } from './step.js';

/** The host's state that the port steps depend on, as check saw it. */
export interface PortsSeen {
  links: readonly LinkInfo[];
  /** net.ipv4.conf.IFACE.route_localnet by interface (undefined: not read or absent). */
  routeLocalnet: ReadonlyMap<string, string | undefined>;
}

const LOCALNET = (iface: string) => `net.ipv4.conf.${iface}.route_localnet`;
const wantsLoopback = (c: ContainerRecord) => portsOf(c).some(onLoopback);

/** Where container `c`'s ports go: its first endpoint (the one with the default route), or nowhere. */
export function portTarget(c: ContainerRecord, nets: Record<string, NetworkRecord>): { net: NetworkRecord; ports: ContainerPorts; port: string } | undefined {
  const e = c.endpoints[0];
  const net = e && nets[e.network];
  if (!e || !net || !portsOf(c).length || (c.mode !== 'network' && c.mode !== 'none')) return undefined;
  // The bridge port is the endpoint's host link (the driver names it).
  const port = driverOf(net).endpointLinks(e)[0];
  if (!port) return undefined;
  return { net, port, ports: { container: c.name, ip: primaryAddress(e).ip, ports: portsOf(c) } };
}

/** Hairpin mode on a bridge port: a frame may leave by the port it came in on (a container reaching itself through the host). */
export const hairpinOn = (veth: string): Command => ip(['link', 'set', veth, 'type', 'bridge_slave', 'hairpin', 'on']);
const isHairpin = (l: LinkInfo | undefined) => l?.linkinfo?.info_slave_data?.hairpin === true;

/**
 * The steps publishing `c`'s ports (phase inside: its bridge port exists by then): the
 * firewall's rules (also taking out its rules that no longer fit, after its first endpoint
 * moved), hairpin mode on its bridge port, route_localnet on the bridge when a mapping answers
 * on 127.0.0.1 (not when `localnet`, read in-process, says it is on). With `seen` (check),
 * only what is missing, with findings. None when it has no
 * ports or no endpoint, or its network's firewall is not nslab's.
 */
export function publishSteps(
  ctx: EngineContext, c: ContainerRecord, nets: Record<string, NetworkRecord>, live: FirewallViews, seen?: PortsSeen, localnet?: HostForPorts,
): Step[] {
  const t = portTarget(c, nets);
  const fw = t && firewallOf(ctx, t.net);
  if (!t || !fw?.manages) return [];
  const spec = firewallSpec(t.net);
  const steps: Step[] = [];
  const change = fw.ensurePorts(viewOf(live, t.net), spec, t.ports);
  if (change) {
    const rule = (what: string): Finding => ({ kind: 'rule', what });
    steps.push(step(`${c.name}/ports`, `publish ${t.ports.ports.length} port(s) of ${c.name} (${t.ports.ip} on ${t.net.name}): DNAT, forwarding, hairpin and localhost rules`, 'inside',
      [...change.apply], [...change.revert], seen ? change.missing.map(rule) : []));
  }
  const link = seen?.links.find((l) => l.ifname === t.port);
  if (!seen || (link && !isHairpin(link))) {
    // Phase inside, a process of its own: in the veth's `ip -batch` its line in --dry-run would be folded into "… (4 steps)".
    steps.push(step(`${c.name}/hairpin`, `hairpin: let ${c.name} reach its own published ports (hairpin mode on bridge port ${t.port})`, 'inside',
      [hairpinOn(t.port)], [], seen ? [{ kind: 'link', what: `hairpin mode is off on ${t.port}: ${c.name} cannot reach its own published ports through the host` }] : []));
  }
  if (wantsLoopback(c) && (seen ?? localnet)?.routeLocalnet.get(spec.iface) !== '1') {
    steps.push(step(`${c.name}/route-localnet`, `let the host reach ${c.name}'s ports on 127.0.0.1 (route_localnet=1 on ${spec.iface} only, never on all or the uplink)`, 'inside',
      [setSysctl(LOCALNET(spec.iface), '1')], [],
      seen ? [{ kind: 'sysctl', what: `${LOCALNET(spec.iface)} is not 1: the host cannot reach ${c.name}'s ports on 127.0.0.1` }] : []));
  }
  const udp = udpHostPorts([c]);
  if (!seen && localnet?.conntrack && udp.length) {
    // After the rules (same phase, later in plan order): a flow seen in between would be kept.
    steps.push(step(`${c.name}/conntrack`, `forget the host's conntrack entries of UDP flows to port(s) ${udp.join(', ')}: a UDP "connection" to a port published before would keep going to the old container until idle for 30 s`, 'inside',
      udp.map(forgetUdp)));
  }
  return steps;
}

/** What publishSteps reads of the host besides the rules: route_localnet, and whether the conntrack tool works. */
export interface HostForPorts extends Pick<PortsSeen, 'routeLocalnet'> {
  /** The conntrack tool answers: new UDP ports get a step forgetting stale flows to them. */
  readonly conntrack?: boolean;
}

const udpHostPorts = (cs: readonly ContainerRecord[]) => [...new Set(cs.flatMap((c) => portsOf(c).filter((p) => p.protocol === 'udp').map((p) => p.hostPort)))];

/** `conntrack -D` of UDP flows to a host port; "0 flow entries have been deleted" (exit 1) counts as done. */
const forgetUdp = (port: number): Command => ({ kind: 'cmd', file: 'conntrack', args: ['-D', '-p', 'udp', '--orig-port-dst', String(port)], mutates: true, absentOk: true });

let warnedConntrack = false;

/**
 * Whether the publish plans of `fresh` may forget stale UDP flows: asked of the conntrack tool
 * only when one of them publishes a UDP port; without the tool, one warning line per process.
 */
export async function conntrackUsable(ctx: EngineContext, fresh: readonly ContainerRecord[]): Promise<boolean> {
  if (!udpHostPorts(fresh).length) return false;
  const out = await ctx.runner.run({ kind: 'cmd', file: 'conntrack', args: ['--version'], mutates: false }).catch((e: Error) => ({ exitCode: 127, stderr: e.message }));
  if (out.exitCode === 0) return true;
  if (!warnedConntrack) ctx.notice(`conntrack is not usable (${out.stderr.trim().split('\n')[0] || `exit ${out.exitCode}`}): stale UDP flows to a re-published port may reach the old container for up to 30 s (install conntrack)`);
  warnedConntrack = true;
  return false;
}

/** route_localnet of every bridge whose containers publish (read in-process: /proc/sys follows our namespace). */
export async function readRouteLocalnet(containers: readonly ContainerRecord[], nets: Record<string, NetworkRecord>): Promise<Map<string, string | undefined>> {
  const ifaces = new Set(containers.map((c) => portTarget(c, nets)).filter((t) => !!t).map((t) => firewallSpec(t.net).iface));
  return new Map(await Promise.all([...ifaces].map(async (i) => [i, await readSysctl(LOCALNET(i))] as const)));
}

/**
 * The firewall views the port steps of new containers need: none read when none publishes;
 * none read either for a backend through which a recorded container already publishes (its
 * portsView: the shared parts in place, as the records say) — so adding a port does not read a
 * ruleset that grows with every port published. Otherwise the host's, read.
 */
export async function observeForPorts(ctx: EngineContext, state: State, fresh: readonly ContainerRecord[], nets: Record<string, NetworkRecord>): Promise<FirewallViews> {
  const targets = fresh.map((c) => portTarget(c, nets)).filter((t) => !!t);
  if (!targets.length) return new Map();
  const isFresh = new Set(fresh.map((c) => c.name));
  const publishing = new Set(Object.values(state.containers).filter((c) => !isFresh.has(c.name)).map((c) => portTarget(c, state.networks)).filter((t) => !!t).map((t) => backendOf(t.net)));
  const backends = backendsInUse(ctx, targets.map((t) => t.net));
  const read = await observeFirewalls(ctx, backends.filter((b) => !publishing.has(b)));
  return new Map([...read, ...backends.filter((b) => publishing.has(b)).map((b) => [b, ctx.firewalls[b].portsView()] as const)]);
}

/**
 * The publish steps of new containers, planned one after the other as if the earlier ones were
 * in place: once one publishes through a backend, the next plan against its portsView (the
 * shared chain, jumps and guard made once: declaring the chain again would flush it) and
 * route_localnet is set once per bridge. Keyed by container name.
 */
export async function publishPlans(ctx: EngineContext, state: State, fresh: readonly ContainerRecord[], nets: Record<string, NetworkRecord>): Promise<Map<string, Step[]>> {
  let live = await observeForPorts(ctx, state, fresh, nets);
  const localnet = { routeLocalnet: await readRouteLocalnet(fresh, nets), conntrack: await conntrackUsable(ctx, fresh) };
  const plans = new Map<string, Step[]>();
  for (const c of fresh) {
    const t = portTarget(c, nets);
    if (!t) continue;
    plans.set(c.name, publishSteps(ctx, c, nets, live, undefined, localnet));
    live = new Map([...live, [backendOf(t.net), firewallOf(ctx, t.net).portsView()]]);
    if (wantsLoopback(c)) localnet.routeLocalnet.set(firewallSpec(t.net).iface, '1');
  }
  return plans;
}

/** Steps removing exactly container `name`'s port rules, from every backend in `live`. */
export function unpublishSteps(ctx: EngineContext, name: string, live: FirewallViews): Step[] {
  const cmds = [...live].flatMap(([b, v]) => ctx.firewalls[b].removePorts(v, name));
  return cmds.length ? [step(`${name}/ports`, `remove the port rules of ${name} (DNAT, forwarding, hairpin, localhost)`, 'unplug', cmds)] : [];
}

/** For gc and check: the ports a recorded container publishes on `network`, with the network's spec. */
export function wantedPorts(state: State): PortsWanted {
  return (network, container) => {
    const c = state.containers[container];
    const t = c && portTarget(c, state.networks);
    return t && t.net.name === network ? { n: firewallSpec(t.net), c: t.ports } : undefined;
  };
}
