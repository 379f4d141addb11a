// What a lab is in the kernel, read from a sandbox: links, addresses, routes and sysctls per
// namespace, the ruleset, /etc/netns files; stable across rebuilds (no ifindex, no counters).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { Sandbox } from './sandbox.js';

/** One namespace's links, addresses and routes, as names (an ifindex changes with every rebuild). */
async function netnsState(sb: Sandbox, ns: string, isHost: boolean) {
  const links = (await sb.ipJson<Array<Record<string, any>>>(['-d', 'link', 'show'], ns)).map((l) => ({
    ifname: l.ifname, kind: l.linkinfo?.info_kind, slave: l.linkinfo?.info_slave_kind, master: l.master, mtu: l.mtu, alias: l.ifalias,
    // A host-side veth's MAC is the kernel's random choice; nslab sets the bridge's and eth0's.
    address: isHost && l.linkinfo?.info_kind === 'veth' ? undefined : l.address,
    up: l.flags?.includes('UP'), hairpin: l.linkinfo?.info_slave_data?.hairpin, addrgenmode: l.inet6_addr_gen_mode,
  })).sort((a, b) => (a.ifname < b.ifname ? -1 : 1));
  const addrs = (await sb.ipJson<Array<Record<string, any>>>(['addr', 'show'], ns)).map((a) => ({
    ifname: a.ifname, addrs: a.addr_info.map((i: any) => `${i.local}/${i.prefixlen}${i.broadcast ? ` brd ${i.broadcast}` : ''} ${i.scope}`).sort(),
  })).sort((a, b) => (a.ifname < b.ifname ? -1 : 1));
  // Route flags (linkdown) follow carrier, which the kernel updates lazily.
  const routes = (await sb.ipJson<Array<Record<string, any>>>(['route', 'show', 'table', 'all'], ns)).map(({ flags, ...r }) => JSON.stringify(r)).sort();
  const keys = links.flatMap((l) => (l.ifname === 'lo' ? [] : [`net.ipv6.conf.${l.ifname}.disable_ipv6`, `net.ipv4.conf.${l.ifname}.route_localnet`]));
  if (isHost) keys.push('net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables');
  const out = await sb.exec(ns, ['sysctl', '-e', ...keys]);
  return { links, addrs, routes, sysctls: out.stdout.split('\n').filter(Boolean).sort() };
}

/** The iptables ruleset of the fake host: comments and counters dropped, the rest in order. */
async function rules(sb: Sandbox): Promise<string> {
  return (await sb.iptables()).split('\n').filter((l) => l.trim() && !l.startsWith('#')).join('\n');
}

const inode = (ns: string) => (existsSync(`/run/netns/${ns}`) ? statSync(`/run/netns/${ns}`).ino : undefined);

/**
 * The kernel's side of the lab: the fake host, each of `own` (containers with a namespace of
 * their own), which namespace each of `named` is (`host`, or one of `own`, by identity), the
 * ruleset and the tagged /etc/netns entries with their text.
 */
export async function labSnapshot(sb: Sandbox, own: readonly string[], named: readonly string[]) {
  const spaces: Record<string, unknown> = { host: await netnsState(sb, sb.host, true) };
  for (const c of own) spaces[c] = existsSync(`/run/netns/${c}`) ? await netnsState(sb, c, false) : 'missing';
  const ids = new Map([[inode(sb.host), 'host'], ...own.map((c) => [inode(c), c] as const)]);
  const identity = Object.fromEntries(named.map((n) => [n, inode(n) === undefined ? 'missing' : ids.get(inode(n)) ?? 'a namespace of its own']));
  const tagged = (existsSync('/etc/netns') ? readdirSync('/etc/netns') : []).filter((n) => n.startsWith(sb.tag)).sort();
  const files = Object.fromEntries(tagged.flatMap((n) => ['resolv.conf', 'hosts'].map((f) => [`${n}/${f}`, existsSync(`/etc/netns/${n}/${f}`) ? readFileSync(`/etc/netns/${n}/${f}`, 'utf8') : 'missing'])));
  const netns = (existsSync('/run/netns') ? readdirSync('/run/netns') : []).filter((n) => n.startsWith(sb.tag)).sort();
  return { spaces, identity, netns, iptables: await rules(sb), files };
}
