// The grader: a lab file's networks and containers judged object by object against a KernelView.
import { parseContainerInput, parseNetworkInput, type ContainerSpec, type NetworkSpec } from '../engine/inputs.js';
import { contains } from '../ipam/cidr.js';
import { ValidationError } from '../errors.js';
import type { Lab } from '../lab/labfile.js';
import { gradeEndpoints, type Seen } from './container.js';
import { gradeHosts, gradeResolv } from './files.js';
import { gradeIsolation } from './isolation.js';
import { fail, pass, type Finding } from './finding.js';
import { linkUpCmd } from './hints.js';
import { gradeNetwork, type NetFacts } from './network.js';
import { gradePorts } from './ports.js';
import { isUpLink, linkOf, type KernelView } from './view.js';

export interface GradeReport {
  findings: Finding[];
  /** What the grader does not look at for this lab, and why. */
  notes: string[];
}

/** A check of a parsed value, its field named as the lab file names it (networks.lab.gateway). */
function within<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ValidationError) throw new ValidationError(`${where}.${e.field}`, e.message.slice(e.message.indexOf(': ') + 2), { cause: e });
    throw e;
  }
}

/** The lab as fully-defaulted specs, refused (exit 2) when it could not be built as written. */
export function labSpecs(lab: Lab): { networks: NetworkSpec[]; containers: ContainerSpec[] } {
  const networks = lab.networks.map((n) => within(`networks.${n.name}`, () => parseNetworkInput(n)));
  const containers = lab.containers.map((c) => within(`containers.${c.name}`, () => parseContainerInput(c)));
  const byName = new Map(networks.map((n) => [n.name, n]));
  for (const c of containers) {
    for (const n of c.networks) {
      if (!byName.has(n)) throw new ValidationError(`containers.${c.name}.network`, `network ${n} is not in the lab file: check FILE grades only what the file describes`);
    }
    const first = byName.get(c.networks[0] ?? '');
    if (c.ip && first?.subnet && !contains(first.subnet, c.ip)) throw new ValidationError(`containers.${c.name}.ip`, `${c.ip} is not in network ${first.name} (${first.subnet.text})`);
    if (c.shares && !containers.some((o) => o.name === c.shares)) throw new ValidationError(`containers.${c.name}.network`, `container ${c.shares} is not in the lab file`);
  }
  return { networks, containers };
}

/** The namespaces the grader must look into: every container's. */
export const namesToObserve = (lab: Lab): string[] => lab.containers.map((c) => c.name);

/** The checks of a container's namespace outside its endpoints: it exists (as the mode wants), lo is up. */
function gradeNamespace(c: ContainerSpec, view: KernelView): Finding[] {
  const object = `container ${c.name}`;
  const ns = view.netns[c.name];
  if (!ns) {
    const make = c.mode === 'host' ? `ip netns attach ${c.name} $$` : c.mode === 'container' ? `touch /run/netns/${c.name} && mount --bind /run/netns/${c.shares} /run/netns/${c.name}` : `ip netns add ${c.name}`;
    return [fail(object, 'namespace', `namespace ${c.name} exists`, 'no such namespace', make)];
  }
  if (c.mode === 'host') {
    return [ns.id === view.hostId ? pass(object, 'namespace', `namespace ${c.name} is the host's`, 'the host\'s')
      : fail(object, 'namespace', `namespace ${c.name} is the host's`, 'a namespace of its own', `ip netns del ${c.name}; ip netns attach ${c.name} $$`)];
  }
  if (c.mode === 'container') {
    const other = view.netns[c.shares!];
    if (!other) return []; // the other container's own ✗ names its missing namespace
    return [ns.id === other.id ? pass(object, 'namespace', `namespace ${c.name} is ${c.shares}'s`, `${c.shares}'s`)
      : fail(object, 'namespace', `namespace ${c.name} is ${c.shares}'s`, 'a namespace of its own', `ip netns del ${c.name}; touch /run/netns/${c.name} && mount --bind /run/netns/${c.shares} /run/netns/${c.name}`)];
  }
  const lo = linkOf(ns.view, 'lo');
  return [
    pass(object, 'namespace', `namespace ${c.name} exists`, `/run/netns/${c.name}`),
    isUpLink(lo) ? pass(object, 'lo-up', 'lo is up', 'up') : fail(object, 'lo-up', 'lo is up', 'down', `ip netns exec ${c.name} ${linkUpCmd('lo')}`),
  ];
}

/**
 * Grade `lab` against `view`: one finding per check, in the file's order (host, networks,
 * containers). A failure that others follow from is reported alone (a missing namespace, a
 * missing address, a link down). Pure; throws a ValidationError when the file cannot be graded.
 */
export function grade(lab: Lab, view: KernelView): GradeReport {
  const { networks, containers } = labSpecs(lab);
  const findings: Finding[] = [];
  const notes: string[] = [];
  const facts = new Map<string, NetFacts>();
  if (networks.length) {
    const check = 'net.ipv4.ip_forward is 1';
    findings.push(view.ipForward === '1' ? pass('host', 'ip-forward', check, '1') : fail('host', 'ip-forward', check, view.ipForward ?? 'unreadable', 'sysctl -w net.ipv4.ip_forward=1'));
  }
  for (const n of networks) {
    if (n.driver !== 'bridge') {
      notes.push(`network ${n.name}: driver ${n.driver} is not graded yet (only bridge networks are)`);
      continue;
    }
    const raw = lab.networks.find((x) => x.name === n.name)!;
    const addresses = containers.filter((c) => c.networks[0] === n.name && c.ip).map((c) => c.ip!);
    const r = gradeNetwork(n, raw.mtu !== undefined, addresses, view);
    findings.push(...r.findings);
    facts.set(n.name, r.facts);
  }
  // What the networks must not let through: each other (isolation), icc false, internal.
  findings.push(...gradeIsolation(networks.filter((n) => facts.has(n.name)).map((spec) => ({ spec, facts: facts.get(spec.name)! })), view));
  const seen = new Map<string, Seen>();
  const byContainer: Finding[][] = [];
  const later: Array<() => void> = [];
  for (const c of containers) {
    const mine = gradeNamespace(c, view);
    byContainer.push(mine);
    if (!view.netns[c.name] || mine.some((f) => !f.ok && f.id === 'namespace')) continue;
    const s: Seen = { addresses: {} };
    seen.set(c.name, s);
    if (c.mode === 'network') mine.push(...gradeEndpoints(c, view.netns[c.name]!.view, facts, view, s));
    if (c.mode === 'network' || c.mode === 'none') mine.push(...gradeResolv(c, view));
    if (c.aliases.length) notes.push(`container ${c.name}: aliases are answered by nslabd's DNS server, which check FILE does not grade`);
    const raw = lab.containers.find((x) => x.name === c.name)!;
    const own = s.addresses[c.networks[0] ?? ''];
    // A --link names another container's address on a network they share: known once all are seen.
    const addressOf = (o: string) => c.networks.map((n) => seen.get(o)?.addresses[n]).find((a) => a !== undefined);
    later.push(() => mine.push(...gradeHosts(c, raw.hostname !== undefined, own, addressOf, view), ...gradePorts(c, own, view)));
  }
  for (const f of later) f();
  findings.push(...byContainer.flat());
  return { findings, notes };
}
