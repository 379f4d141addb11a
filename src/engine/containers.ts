// Container create, one or many at once (many share batches: the bulk path of `up`); removal is in container-remove.ts.
import { existsSync } from 'node:fs';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { allocate, checkStatic, type AllocRequest } from '../ipam/allocator.js';
import { macForIp, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import { linkNames } from '../kernel/link.js';
import { listNetns } from '../kernel/netns.js';
import { etcDir, isOurs } from '../kernel/netns-files.js';
import { dict } from '../state/dict.js';
import { ipv4Subnet, primaryAddress } from '../state/families.js';
import type { IntentFile } from '../state/intent.js';
import type { ContainerRecord, EndpointRecord, NetworkRecord, State } from '../state/types.js';
import { execute, type EngineContext } from './context.js';
import { networkModeOf, type ContainerSpec } from './inputs.js';
import { newId } from './names.js';
import { hostsSteps } from './hosts-files.js';
import { planContainer } from './plan-container.js';
import { driverByName, driverOf } from '../drivers/registry.js';
import { executeRecorded } from './save.js';
import { publishPlans } from './ports.js';
import { checkPortConflicts, portsOf } from './publish.js';
import type { Step } from './step.js';

/** The address pool of a network: its subnet, range, reserved and used addresses, and the MACs on it. */
export function allocRequest(n: NetworkRecord, state: State): AllocRequest & { used: Set<string>; macs: Map<string, string> } {
  const v4 = ipv4Subnet(n);
  const used = new Set<string>();
  // One L2 segment: each endpoint has its own MAC, and so may the network's own objects.
  const own = driverOf(n).reserved(n);
  const macs = new Map(own.macs);
  for (const c of Object.values(state.containers)) {
    for (const e of c.endpoints) {
      if (e.network !== n.name) continue;
      used.add(primaryAddress(e).ip);
      macs.set(e.mac, `container ${c.name}`);
    }
  }
  return {
    subnet: parseCidr4(v4.subnet) as Cidr4,
    range: v4.ipRange ? (parseCidr4(v4.ipRange) as Cidr4) : undefined,
    reserved: new Set([v4.gateway, ...Object.values(v4.auxAddresses), ...own.ips]),
    used,
    macs,
  };
}

/** Interface names in use on the host: live links and every recorded host veth. */
export async function takenIfnames(ctx: EngineContext, state: State): Promise<Set<string>> {
  const names = linkNames();
  for (const c of Object.values(state.containers)) for (const e of c.endpoints) for (const l of endpointLinks(state, e)) names.add(l);
  return names;
}

/** What the user asked for, normalised, to compare a repeated create with the record. */
function requestOf(s: ContainerSpec): Record<string, unknown> {
  return {
    network: networkModeOf(s), networks: s.networks.length > 1 ? s.networks : undefined, ip: s.ip, mac: s.mac, dns: s.dns,
    dnsSearch: s.dnsSearch, hostname: s.hostname, aliases: s.aliases, addHosts: s.addHosts,
    ...(s.links.length ? { links: s.links } : {}),
    ...(s.dnsOptions ? { dnsOptions: s.dnsOptions } : {}),
  };
}

function sameRequest(have: ContainerRecord, want: ContainerSpec): string[] {
  const req = requestOf(want);
  const ep = have.endpoints[0];
  const effective: Record<string, unknown> = { ...have.request, ip: req.ip === undefined || !ep ? undefined : primaryAddress(ep).ip, mac: req.mac === undefined ? undefined : ep?.mac };
  const diff = Object.keys(req).filter((k) => JSON.stringify(req[k]) !== JSON.stringify(effective[k]));
  return JSON.stringify(portsOf(have)) === JSON.stringify(want.ports) ? diff : [...diff, 'publish'];
}

/** The host links an endpoint stands for, by its network's driver (none when the network is gone). */
export function endpointLinks(state: State, e: EndpointRecord): string[] {
  const n = state.networks[e.network];
  return n ? driverOf(n).endpointLinks(e) : [];
}

/** Is the recorded container still whole in the kernel (namespace, and every endpoint's host links)? */
function isWhole(c: ContainerRecord, state: State, netns: ReadonlySet<string>, hostLinks: ReadonlySet<string>): boolean {
  return netns.has(c.name) && c.endpoints.every((e) => endpointLinks(state, e).every((l) => hostLinks.has(l)));
}

/**
 * A new endpoint of container `c` on network `net`: its ethN, host veth, address and MAC.
 * Refuses (exit 2) a MAC already on the network and a host veth name in `taken` (which it
 * then joins, as do the address and MAC their pool).
 */
export function newEndpoint(
  c: string, index: number, net: NetworkRecord, pool: ReturnType<typeof allocRequest>, o: { ip?: string; mac?: string; aliases: string[] }, taken: Set<string>,
): EndpointRecord {
  let ip: string;
  if (o.ip) {
    const why = checkStatic(pool, o.ip);
    if (why) throw new ValidationError('ip', why);
    ip = o.ip;
  } else {
    ip = allocate(pool);
  }
  const mac = o.mac ?? macForIp(ip);
  const holder = pool.macs.get(mac);
  if (holder) {
    throw new ValidationError('mac', `${mac}${o.mac ? '' : ` (derived from ${ip})`} is already used by ${holder} on network ${net.name}${o.mac ? '' : '; give --mac or --ip'}`);
  }
  const names = driverOf(net).endpointNames(c, index, taken);
  // A plain name is what it is; a hashed one has already skipped the names in use.
  for (const l of Object.values(names)) {
    if (taken.has(l)) throw new ConflictError(`name: interface ${l} (the host end of ${c}'s eth${index}) already exists on the host and was not made by nslab`);
    taken.add(l);
  }
  pool.used.add(ip);
  pool.macs.set(mac, `container ${c}`);
  const addresses = [{ ip, prefix: pool.subnet.prefix, gateway: ipv4Subnet(net).gateway }];
  return { network: net.name, ifname: `eth${index}`, ...names, addresses, mac, aliases: o.aliases };
}

/**
 * What a create of `specs` would add to `state`: the new records (`fresh`) and, in request
 * order, the record of every spec. Refuses (exit 2) what conflicts; touches nothing.
 */
export async function resolveContainers(
  ctx: EngineContext, state: State, specs: readonly ContainerSpec[], nets: Record<string, NetworkRecord>,
): Promise<{ fresh: ContainerRecord[]; result: ContainerRecord[] }> {
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw new ValidationError('name', `container ${s.name} is named twice`);
    seen.add(s.name);
  }
  const netns = await listNetns();
  const fresh: ContainerRecord[] = [];
  const result: ContainerRecord[] = [];
  const pools = new Map<string, ReturnType<typeof allocRequest>>();
  let hostLinks: Set<string> | undefined;
  let taken: Set<string> | undefined;
  for (const s of specs) {
    const have = state.containers[s.name];
    if (have) {
      const diff = sameRequest(have, s);
      if (diff.length) throw new ConflictError(`container ${s.name} already exists with other settings (${diff.join(', ')})`);
      hostLinks ??= linkNames();
      if (!isWhole(have, state, netns, hostLinks)) throw new ConflictError(`container ${s.name} is recorded but its namespace or veth is missing; run \`nslab container rm ${s.name}\` and create it again`);
      result.push(have);
      continue;
    }
    if (netns.has(s.name)) throw new ConflictError(`name: a network namespace named ${s.name} already exists and was not made by nslab`);
    if (existsSync(etcDir(s.name)) && !isOurs(s.name)) throw new ConflictError(`name: /etc/netns/${s.name} exists and was not made by nslab`);
    if (s.shares) {
      // Recorded, or earlier in this same request.
      const other = state.containers[s.shares] ?? fresh.find((f) => f.name === s.shares);
      if (!other && specs.some((o) => o.name === s.shares)) {
        throw new ValidationError('network', `container ${s.shares} must come before ${s.name}, which shares its namespace`);
      }
      if (!other) throw new NotFoundError(`network: no such container "${s.shares}" to share a namespace with`);
      if (other.mode !== 'network' && other.mode !== 'none') {
        throw new ValidationError('network', `container ${other.name} has network mode ${networkModeOf(other)}; share a container that has its own namespace`);
      }
    }
    if (s.networks.length) taken ??= await takenIfnames(ctx, state);
    const endpoints = s.networks.map((name, i) => {
      const net = nets[name]!;
      let pool = pools.get(net.name);
      if (!pool) pools.set(net.name, (pool = allocRequest(net, state)));
      return newEndpoint(s.name, i, net, pool, i === 0 ? { ip: s.ip, mac: s.mac, aliases: s.aliases } : { aliases: s.aliases }, taken!);
    });
    const rec: ContainerRecord = {
      name: s.name,
      id: newId(),
      mode: s.mode,
      ...(s.shares ? { shares: s.shares } : {}),
      status: 'ready',
      endpoints,
      hostname: s.hostname,
      dns: s.dns ?? [],
      dnsSearch: s.dnsSearch ?? [],
      ...(s.dnsOptions ? { dnsOptions: s.dnsOptions } : {}),
      addHosts: s.addHosts,
      ...(s.links.length ? { links: s.links } : {}),
      ports: s.ports,
      request: requestOf(s),
      created: new Date().toISOString(),
    };
    fresh.push(rec);
    result.push(rec);
  }
  for (const c of fresh) checkLinks(c, state, fresh);
  checkPortConflicts(Object.values(state.containers), fresh);
  for (const c of fresh) {
    const first = c.endpoints[0] && nets[c.endpoints[0].network];
    // Docker writes such mappings and they silently do nothing; nslab says so instead.
    if (portsOf(c).length && first?.internal) throw new ValidationError('publish', `network ${first.name} is internal: nothing from outside reaches it, so no port of ${c.name} can be published there`);
  }
  return { fresh, result };
}

/**
 * Refuses (exit 2) a link to a container that is neither recorded nor in the same request, or
 * that shares no network with `c`: a legacy link names an address `c` can reach directly.
 */
export function checkLinks(c: ContainerRecord, state: State, fresh: readonly ContainerRecord[]): void {
  for (const l of c.links ?? []) {
    const o = state.containers[l.container] ?? fresh.find((f) => f.name === l.container);
    if (!o) throw new NotFoundError(`link: no such container "${l.container}"`);
    const theirs = new Set(o.endpoints.map((e) => e.network));
    if (!c.endpoints.some((e) => theirs.has(e.network))) {
      const where = theirs.size ? `on ${[...theirs].join(', ')}` : `in network mode ${networkModeOf(o)}`;
      throw new ValidationError('link', `container ${o.name} is ${where}, not on a network of ${c.name} (${c.endpoints.map((e) => e.network).join(', ') || 'none'}): a link needs a shared network`);
    }
  }
}

/**
 * Create containers. A name that exists with the same settings is left as it is; with other
 * settings, or owned by someone else, the whole request is refused before anything changes.
 * The new records go to the intent file before the kernel is touched; the intent is cleared
 * once every kernel object exists and the state file records them.
 */
export async function createContainers(
  ctx: EngineContext, state: State, specs: readonly ContainerSpec[], nets: Record<string, NetworkRecord>, save: () => Promise<void>,
  intent: Pick<IntentFile, 'write' | 'clear'>,
): Promise<ContainerRecord[]> {
  const { fresh, result } = await resolveContainers(ctx, state, specs, nets);
  if (fresh.length === 0) return result;
  const cx = { nets, host: ctx.hostResolvers(), containers: dict([...Object.entries(state.containers), ...fresh.map((c) => [c.name, c] as const)]), hostPid: process.pid };
  // Published ports: planned against the live ruleset (its shared chains may exist already).
  const ports = await publishPlans(ctx, state, fresh, nets);
  const steps = [
    ...fresh.flatMap((c) => [...planContainer(c, cx), ...(ports.get(c.name) ?? [])]),
    // Containers already on these networks learn the new names (and links to them resolve).
    ...hostsSteps(cx.containers, fresh, state.containers, new Set(fresh.map((c) => c.name)), `: ${fresh.length === 1 ? fresh[0]!.name : `${fresh.length} containers`} joined its networks`),
  ];
  if (ctx.dryRun) {
    await execute(ctx, steps);
    return result;
  }
  // Until the intent is cleared, a crash is undone by the next run: every container it names
  // is torn down and unrecorded. So state.json can be written while the last batch runs.
  intent.write({ containers: fresh });
  for (const c of fresh) state.containers[c.name] = c;
  await executeRecorded(ctx, steps, save, {
    unrecord: () => fresh.forEach((c) => delete state.containers[c.name]), what: `container ${fresh.map((c) => c.name).join(', ')}`, intent,
  });
  return result;
}

/** The steps detaching one endpoint while its namespace lives on, by its network's driver. */
export function detachSteps(state: State, c: string, e: EndpointRecord, reason = ''): Step[] {
  const n = state.networks[e.network];
  // A network no longer recorded (an interrupted run's endpoint): its record's host veth says it was a bridge port.
  return (n ? driverOf(n) : driverByName('bridge')).detach(c, e, n, reason);
}

/** Containers that share `name`'s namespace (mode container:NAME). */
export function sharersOf(state: State, name: string): ContainerRecord[] {
  return Object.values(state.containers).filter((c) => c.mode === 'container' && c.shares === name);
}

