// Route lookups, asked of the kernel (`ip route get`): in the container, in the host, and the world's stand-in address.
import { inCidr } from './ip4.js';
import type { HostView } from './host.js';
import type { KernelReader, RouteAnswer } from './read.js';

/**
 * Documentation addresses (RFC 5737) that stand for "the world": nothing is ever sent to them
 * (a probe needs an address the user gives); the kernel's route lookup for them shows where
 * anything beyond the host's networks goes.
 */
const WORLD_STAND_INS = ['203.0.113.1', '192.0.2.1'];

/** The first stand-in the host reaches through a gateway (its default route) and that no nslab network holds. */
export async function worldAddress(k: KernelReader, h: HostView): Promise<{ ip: string; route: RouteAnswer; line: string } | undefined> {
  const subnets = h.addrs.flatMap((a) => a.addr_info.filter((i) => i.family === 'inet').map((i) => `${i.local}/${i.prefixlen}`));
  for (const ip of WORLD_STAND_INS) {
    if (subnets.some((s) => inCidr(ip, s))) continue;
    const r = await k.routeGet([ip]);
    if (r.route?.gateway && r.route.dev) return { ip, route: r.route, line: r.line };
  }
  return undefined;
}

/** Does namespace `ns` have a default route? (For the words of a failed lookup.) */
export async function hasDefaultRoute(k: KernelReader, ns: string): Promise<boolean> {
  const r = await k.read('ip', ['-json', '-4', 'route', 'show', 'default'], ns);
  return r.ok && r.out.trim() !== '' && r.out.trim() !== '[]';
}

/** The first IPv4 address of a namespace outside lo, or undefined. */
export async function addressOf(k: KernelReader, ns: string): Promise<{ ip: string; dev: string } | undefined> {
  const addrs = await k.addrs(ns);
  for (const a of addrs) {
    if (a.ifname === 'lo') continue;
    const i = a.addr_info.find((x) => x.family === 'inet' && x.scope !== 'host');
    if (i) return { ip: i.local, dev: a.ifname };
  }
  return undefined;
}

/** "10.0.0.3 via 10.0.0.1 dev eth0" in the words `ip route` uses. */
export function routeWords(r: RouteAnswer): string {
  return `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.type && r.type !== 'unicast' ? ` (${r.type})` : ''}`;
}
