// What nslabd says about a request: the objects it is about (its log lines) and the events its
// result makes (for `nslab events` and the diagram page).
import type { Mutation } from '../engine/api.js';
import type { ContainerInput, NetworkInput } from '../engine/inputs.js';
import { clip } from '../errors.js';
import { ipv4Subnet, primaryAddress } from '../state/families.js';
import type { ContainerRecord, EndpointRecord, NetworkRecord } from '../state/types.js';
import type { EventBus } from './events.js';

/** The network and container a request is about, for its log lines (from checked arguments). */
export function subjects(verb: Mutation, args: unknown[]): { network?: string; container?: string } {
  const list = (a: unknown) => (a as string[]).map((n) => clip(n)).join(',');
  switch (verb) {
    case 'createNetwork': return { network: clip((args[0] as NetworkInput).name) };
    case 'removeNetworks': return { network: list(args[0]) };
    case 'createContainers': return { container: list((args[0] as ContainerInput[]).map((c) => c.name)) };
    case 'removeContainers': return { container: list(args[0]) };
    case 'connect': case 'disconnect': return { network: clip(args[0] as string), container: clip(args[1] as string) };
    default: return {};
  }
}

/** Tell `events`' listeners what request `verb` with `args` did, from its result. */
export function announce(ev: EventBus, verb: Mutation, args: unknown[], result: unknown): void {
  switch (verb) {
    case 'createNetwork': return ev.publish('network.created', (result as NetworkRecord).name, { subnet: ipv4Subnet(result as NetworkRecord).subnet });
    case 'removeNetworks': for (const n of result as string[]) ev.publish('network.removed', n); return;
    case 'createContainers': case 'up': for (const c of result as ContainerRecord[]) ev.publish('container.created', c.name, { ip: c.endpoints[0] && primaryAddress(c.endpoints[0]).ip }); return;
    case 'removeContainers': for (const n of result as string[]) ev.publish('container.removed', n); return;
    case 'connect': return ev.publish('container.connected', args[1] as string, { network: args[0], ifname: (result as EndpointRecord).ifname, ip: primaryAddress(result as EndpointRecord).ip });
    case 'disconnect': if (result) ev.publish('container.disconnected', args[1] as string, { network: args[0] }); return;
    case 'check': if ((result as { repaired: boolean }).repaired) ev.publish('repaired', 'check --repair', { differences: (result as { drift: unknown[] }).drift.length }); return;
    case 'gc': if ((result as { removed: string[] }).removed.length) ev.publish('gc', 'leftovers', { removed: (result as { removed: string[] }).removed }); return;
    case 'reset': return ev.publish('reset', 'everything');
    case 'rebuildState': return ev.publish('state.rebuilt', 'state.json');
  }
}
