// network connect / disconnect: one more ethN inside a container, or exactly that one less.
import { ConflictError, NotFoundError } from '../errors.js';
import { dict } from '../state/dict.js';
import { primaryAddress } from '../state/families.js';
import type { IntentFile } from '../state/intent.js';
import type { ContainerRecord, EndpointRecord, NetworkRecord, State } from '../state/types.js';
import { allocRequest, detachSteps, newEndpoint, takenIfnames } from './containers.js';
import { execute, type EngineContext } from './context.js';
import { networkModeOf } from './inputs.js';
import { hostsSteps } from './hosts-files.js';
import { endpointSteps } from './plan-container.js';
import { executeRecorded, unrecordAfter, type Save } from './save.js';
import { step, type Step } from './step.js';
import { replaceDefaultRoute } from '../kernel/route.js';
import { backendsInUse, observeFirewalls } from './firewalls.js';
import { publishSteps, unpublishSteps } from './ports.js';
import { portsOf } from './publish.js';

export interface ConnectOptions {
  ip?: string;
  aliases: string[];
}

function requireContainer(state: State, name: string): ContainerRecord {
  const c = state.containers[name];
  if (!c) throw new NotFoundError(`container: no such container "${name}"`);
  return c;
}

/**
 * The steps moving `c`'s port rules to where its (new) first endpoint is: rules for the new
 * address (the old ones go in the same restore), or removal when it has no endpoint left.
 */
async function portsFollow(ctx: EngineContext, state: State, c: ContainerRecord): Promise<Step[]> {
  if (!portsOf(c).length) return [];
  const nets = { ...state.networks };
  const live = await observeFirewalls(ctx, backendsInUse(ctx, Object.values(nets)));
  if (!c.endpoints.length) return unpublishSteps(ctx, c.name, live);
  return publishSteps(ctx, c, nets, live);
}

/** The lowest N with no ethN in the container (a disconnected eth1 is reused, as in Docker). */
function nextIndex(c: ContainerRecord): number {
  const used = new Set(c.endpoints.map((e) => Number(e.ifname.slice(3))));
  let i = 0;
  while (used.has(i)) i++;
  return i;
}

/**
 * Attach a container to one more network: a veth whose peer is born inside as the next free
 * ethN, its address, up. The default route stays where it is unless this is the only
 * endpoint. Connecting again with the same (or no) --ip changes nothing.
 */
export async function connect(
  ctx: EngineContext, state: State, net: NetworkRecord, name: string, o: ConnectOptions, save: () => Promise<void>,
  intent: Pick<IntentFile, 'write' | 'clear'>,
): Promise<EndpointRecord> {
  const c = requireContainer(state, name);
  if (c.mode !== 'network' && c.mode !== 'none') {
    throw new ConflictError(`container ${name} has network mode ${networkModeOf(c)}: its namespace is not nslab's to connect`);
  }
  const have = c.endpoints.find((e) => e.network === net.name);
  if (have) {
    if (o.ip && o.ip !== primaryAddress(have).ip) throw new ConflictError(`container ${name} is already connected to ${net.name} with ${primaryAddress(have).ip}, not ${o.ip}`);
    return have;
  }
  const e = newEndpoint(name, nextIndex(c), net, allocRequest(net, state), { ip: o.ip, aliases: o.aliases }, await takenIfnames(ctx, state));
  const steps = [
    ...hostsSteps(dict([...Object.entries(state.containers), [name, { ...c, endpoints: [...c.endpoints, e] }]]), [c], state.containers, undefined, `: ${name} joined ${net.name}`),
    ...endpointSteps(name, e, net, c.endpoints.length === 0),
    // The first endpoint is where published ports go: a container with none gets its rules now.
    ...(c.endpoints.length === 0 ? await portsFollow(ctx, state, { ...c, endpoints: [e] }) : []),
  ];
  if (ctx.dryRun) {
    await execute(ctx, steps);
    return e;
  }
  intent.write({ containers: [], endpoints: [{ container: name, endpoint: e }] });
  c.endpoints.push(e);
  await executeRecorded(ctx, steps, save, { unrecord: () => c.endpoints.splice(c.endpoints.indexOf(e), 1), what: `${name}'s ${e.ifname}`, intent });
  return e;
}

/**
 * When the endpoint holding the default route goes, the next one takes it (as Docker moves the
 * gateway): replaced before the veth goes, so there is no moment without one. None when the
 * next network is internal (no way out) or there is no next endpoint.
 */
function routeFollows(state: State, c: string, gone: EndpointRecord, next: EndpointRecord | undefined): Step[] {
  const via = next && !state.networks[next.network]?.internal ? primaryAddress(next).gateway : undefined;
  if (!next || !via) return [];
  const old = primaryAddress(gone).gateway;
  return [step(`${c}/default-route`, `move ${c}'s default route to ${next.ifname} via ${via}: ${next.network} is its first network now`, 'inside',
    [replaceDefaultRoute(via, next.ifname, c)], old && !state.networks[gone.network]?.internal ? [replaceDefaultRoute(old, gone.ifname, c)] : [])];
}

/** Detach a container from a network: delete exactly that veth pair. Not connected: success. */
export async function disconnect(ctx: EngineContext, state: State, network: string, name: string, save: Save): Promise<boolean> {
  const c = requireContainer(state, name);
  const e = c.endpoints.find((x) => x.network === network);
  if (!e) return false;
  const after = { ...c, endpoints: c.endpoints.filter((x) => x !== e) };
  const steps = [
    ...detachSteps(state, name, e),
    ...hostsSteps(dict([...Object.entries(state.containers), [name, after]]), [c], state.containers, undefined, `: ${name} left ${network}`),
    // The default route and the published ports follow the first endpoint: to the next one, or nowhere (the record keeps the ports).
    ...(c.endpoints[0] === e ? [...routeFollows(state, name, e, after.endpoints[0]), ...(await portsFollow(ctx, state, after))] : []),
  ];
  if (ctx.dryRun) {
    await execute(ctx, steps);
    return true;
  }
  const unrecord = () => {
    const at = c.endpoints.indexOf(e);
    c.endpoints.splice(at, 1);
    return () => void c.endpoints.splice(at, 0, e);
  };
  await unrecordAfter(save, unrecord, () => execute(ctx, steps));
  return true;
}
