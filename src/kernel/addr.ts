// Addresses: `ip addr add/del`, read with `ip -json addr`.
import { ip, ipJson, type Command } from '../exec/command.js';
import { runJson, type Runner } from '../exec/runner.js';

export interface AddrInfo {
  ifname: string;
  addr_info: Array<{ family: string; local: string; prefixlen: number; broadcast?: string }>;
}

/** Add `cidr` ("ip/prefix") with its broadcast to `dev`. */
export function addAddr(dev: string, cidr: string, brd: string, netns?: string): Command {
  return ip(['addr', 'add', cidr, 'brd', brd, 'dev', dev], { netns });
}

export function listAddrs(runner: Runner, netns?: string): Promise<AddrInfo[]> {
  return runJson<AddrInfo[]>(runner, ipJson(['addr', 'show'], netns), 'list addresses');
}

/** Does `dev` hold the address `cidr` ("ip/prefix") in `addrs`? */
export function hasAddr(addrs: readonly AddrInfo[], dev: string, cidr: string): boolean {
  return addrs.some((a) => a.ifname === dev && a.addr_info.some((i) => `${i.local}/${i.prefixlen}` === cidr));
}

/** Every IPv4 "ip/prefix" on the host, with the interface holding it. */
export function ipv4Of(addrs: readonly AddrInfo[]): Array<{ ifname: string; cidr: string; local: string }> {
  return addrs.flatMap((a) =>
    a.addr_info
      .filter((i) => i.family === 'inet')
      .map((i) => ({ ifname: a.ifname, cidr: `${i.local}/${i.prefixlen}`, local: i.local })),
  );
}
