// The doctor's checks of the host's network settings: forwarding, the FORWARD policy and other
// firewalls (Docker, ufw, firewalld), rp_filter, the resolvers containers get, the default
// address pool against the host's routes, the uplink's MTU.
import { hostResolvers, isLoopback } from '../kernel/netns-files.js';
import { candidates } from '../ipam/pool.js';
import { overlaps, parseCidr4, type Cidr4 } from '../ipam/cidr.js';
import type { HostFacts } from './facts.js';
import { sysctl } from './facts.js';
import { fail, note, ok, warn, type Finding } from './finding.js';

interface Route {
  dst: string;
  dev?: string;
  gateway?: string;
}

/** ip_forward, rp_filter. */
export function sysctlChecks(f: HostFacts): Finding[] {
  const out: Finding[] = [];
  const fwd = sysctl(f, 'net.ipv4.ip_forward');
  out.push(fwd === '1' ? ok('sysctl.ip_forward', 'ip_forward is 1: the host routes between its bridges and the uplink')
    : note('sysctl.ip_forward', 'ip_forward is 0: nslab turns it on when it makes a network; a lab built by hand needs it (with it off, even two containers of one bridge cannot talk)', 'sudo sysctl -w net.ipv4.ip_forward=1'));
  const rp = sysctl(f, 'net.ipv4.conf.all.rp_filter');
  if (rp === '1') out.push(note('sysctl.rp_filter', 'rp_filter is strict (all=1): a packet is dropped when the route back to its source leaves by another interface; labs routed by hand across two bridges may lose replies', 'sudo sysctl -w net.ipv4.conf.all.rp_filter=2'));
  else out.push(ok('sysctl.rp_filter', `rp_filter: ${rp === '2' ? 'loose (2)' : rp === '0' ? 'off (0)' : 'unknown'}`));
  return out;
}

/** The FORWARD policy, Docker's chains, ufw's chains, firewalld's table. */
export async function firewallChecks(f: HostFacts): Promise<Finding[]> {
  const out: Finding[] = [];
  const save = await f.run(['iptables-save']);
  if (save.code !== 0) return out; // tool.iptables says why
  const policy = /^:FORWARD (\w+)/m.exec(save.stdout.split('*filter')[1] ?? '')?.[1];
  if (policy === 'DROP') {
    out.push(note('firewall.forward-policy', "the FORWARD policy is DROP (Docker or a firewall set it): nslab's NSLAB-FORWARD accepts its own networks' traffic; a lab built by hand needs its own ACCEPT rules",
      'sudo iptables -P FORWARD ACCEPT (only on a lab VM), or iptables -A FORWARD -i BRIDGE -j ACCEPT'));
  } else out.push(ok('firewall.forward-policy', `the FORWARD policy is ${policy ?? 'ACCEPT'}`));
  if (/^:DOCKER(-USER)? /m.test(save.stdout)) {
    out.push(note('firewall.docker', "Docker's chains are here: Docker and nslab keep to their own chains; nslab's default pool skips subnets Docker's bridges route", 'nothing to do; to compare with Docker, run the same lab there'));
  }
  if (/^:ufw-/m.test(save.stdout)) {
    out.push(warn('firewall.ufw', "ufw is active: its routed policy drops forwarded traffic that nslab's own rules do not accept (labs built by hand, and anything routed to the world through ufw's chains)",
      'sudo ufw default allow routed (or allow the lab\'s bridges: sudo ufw route allow in on BRIDGE)'));
  }
  const nft = await f.run(['nft', 'list', 'tables']);
  if (nft.code === 0 && /\bfirewalld\b/.test(nft.stdout)) {
    out.push(warn('firewall.firewalld', 'firewalld is active: a reload re-creates its rules and may drop forwarded traffic of interfaces it does not know',
      'sudo firewall-cmd --permanent --zone=trusted --add-interface=BRIDGE && sudo firewall-cmd --reload'));
  }
  return out;
}

/** What containers get as resolvers when the host uses a loopback stub (127.0.0.53). */
export function resolverChecks(f: HostFacts): Finding[] {
  const main = f.read('/etc/resolv.conf') ?? '';
  const listed = [...main.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
  const usable = hostResolvers((p) => f.read(p) ?? '').nameservers;
  const stub = listed.length > 0 && listed.every(isLoopback);
  if (!usable.length) {
    return [warn('dns.upstream', listed.length ? `the host's resolvers (${listed.join(', ')}) are loopback only and no upstream list was found: containers have no DNS server to forward to`
      : '/etc/resolv.conf names no nameserver: containers have no DNS server to forward to', 'start nslabd with --dns IP (or give containers --dns IP)')];
  }
  return [stub ? note('dns.upstream', `the host uses a loopback stub resolver (${listed.join(', ')}): containers get its upstreams instead (${usable.join(', ')}, from /run/systemd/resolve/resolv.conf)`)
    : ok('dns.upstream', `containers forward to the host's resolvers: ${usable.join(', ')}`)];
}

const parseRoutes = (json: string): Route[] => {
  try {
    return JSON.parse(json) as Route[];
  } catch {
    return [];
  }
};

/** A route's destination as a range ("default" and host routes included), or undefined. Pure. */
function rangeOf(r: Route): Cidr4 | undefined {
  if (r.dst === 'default') return undefined;
  const c = parseCidr4(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
  return typeof c === 'string' ? undefined : c;
}

/** The default pool against the host's routes; the uplink's MTU. */
export async function routeChecks(f: HostFacts): Promise<Finding[]> {
  const out: Finding[] = [];
  const routes = parseRoutes((await f.run(['ip', '-json', '-4', 'route', 'show'])).stdout);
  const ranges = routes.map((r) => ({ r, c: rangeOf(r) })).filter((x) => x.c !== undefined) as Array<{ r: Route; c: Cidr4 }>;
  const pool = [...candidates()];
  const taken = pool.filter((p) => ranges.some((x) => overlaps(parseCidr4(p) as Cidr4, x.c)));
  const free = pool.filter((p) => !taken.includes(p));
  const why = (p: string) => ranges.filter((x) => overlaps(parseCidr4(p) as Cidr4, x.c)).map((x) => `${x.r.dst}${x.r.dev ? ` dev ${x.r.dev}` : ''}`)[0];
  if (!free.length) out.push(fail('routes.pool', `every subnet of nslab's default pool (172.17-31.0.0/16, 192.168.0-240.0/20) overlaps a host route`, 'give each network its own --subnet (e.g. 10.201.0.0/24) that no route uses'));
  else if (taken.length) out.push(note('routes.pool', `host routes take ${taken.length} subnet(s) of the default pool (${taken.slice(0, 3).map((p) => `${p} by ${why(p)}`).join('; ')}${taken.length > 3 ? '; …' : ''}): networks without --subnet get ${free[0]} next`));
  else out.push(ok('routes.pool', `no host route overlaps the default pool: the first network without --subnet gets ${free[0]}`));
  const def = routes.find((r) => r.dst === 'default');
  if (!def?.dev) {
    out.push(note('routes.uplink', 'no default route: containers cannot reach the world (fine for a lab that stays inside)', 'sudo ip route add default via GATEWAY'));
    return out;
  }
  const link = parseRoutes((await f.run(['ip', '-json', 'link', 'show', 'dev', def.dev])).stdout)[0] as { mtu?: number } | undefined;
  if (link?.mtu !== undefined && link.mtu < 1500) {
    out.push(warn('routes.mtu', `the uplink ${def.dev} has MTU ${link.mtu}: containers get 1500, and their large packets to the world are lost (TCP stalls after the handshake)`, `nslab network create NAME --mtu ${link.mtu}`));
  } else out.push(ok('routes.mtu', `the uplink ${def.dev} has MTU ${link?.mtu ?? 'unknown'}`));
  return out;
}
