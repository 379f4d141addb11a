// nslab's iptables rules as data: one function builds them for both setup and teardown.
import type { NetworkFirewallSpec } from '../firewall.js';
import { BASE_COMMENT, FWD_CHAIN, INPUT_CHAIN, ISO1_CHAIN, ISO2_CHAIN, NAT_CHAIN, RAW_CHAIN, USER_CHAIN, networkComment } from './names.js';

export type Table = 'raw' | 'nat' | 'filter';

/** One rule: table, chain and the match/target words as iptables-save prints them. */
export interface Rule {
  readonly table: Table;
  readonly chain: string;
  readonly spec: readonly string[];
  /** Insert at the top of a built-in chain instead of appending. */
  readonly insert?: boolean;
  /** What its absence means, in the lab's words (check). */
  readonly what?: string;
}

export interface ChainDecl {
  readonly table: Table;
  readonly chain: string;
}

/** The chains nslab owns, in creation order. */
export const BASE_CHAINS: readonly ChainDecl[] = [
  { table: 'raw', chain: RAW_CHAIN },
  { table: 'nat', chain: NAT_CHAIN },
  { table: 'filter', chain: FWD_CHAIN },
  { table: 'filter', chain: ISO1_CHAIN },
  { table: 'filter', chain: ISO2_CHAIN },
  { table: 'filter', chain: USER_CHAIN },
];

const comment = (c: string) => ['-m', 'comment', '--comment', c];

/**
 * The jumps from built-in chains (inserted first, so they run before a DROP policy or
 * Docker's own chains), then at the head of NSLAB-FORWARD the users' chain (so a user rule
 * can allow what isolation would drop, as with DOCKER-USER) and the isolation chain.
 */
const jump = (table: Table, from: string, to: string, insert?: boolean): Rule =>
  ({ table, chain: from, spec: [...comment(BASE_COMMENT), '-j', to], ...(insert ? { insert } : {}), what: `the jump from ${from} to nslab's ${to} is missing` });

export const BASE_RULES: readonly Rule[] = [
  jump('raw', 'PREROUTING', RAW_CHAIN, true),
  jump('nat', 'POSTROUTING', NAT_CHAIN, true),
  jump('filter', 'FORWARD', FWD_CHAIN, true),
  jump('filter', FWD_CHAIN, USER_CHAIN),
  jump('filter', FWD_CHAIN, ISO1_CHAIN),
];

/**
 * The source check of one bridge network: whatever arrives from its bridge with a source
 * outside its subnet is dropped, routed or bridged, before conntrack sees it. Chosen over
 * rp_filter=1 on the bridge because the kernel applies max(conf.all, conf.BRIDGE): where a
 * distribution sets all.rp_filter=2 (loose: any route back will do), the bridge's strict
 * setting would silently not hold; a rule also shows its drops in its counters.
 */
// Words in iptables-save's order (source before interface), so the live rule compares equal.
export function spoofRules(n: Pick<NetworkFirewallSpec, 'name' | 'iface' | 'subnet'>, owner = networkComment(n.name)): Rule[] {
  return [{
    table: 'raw', chain: RAW_CHAIN, spec: ['!', '-s', n.subnet, '-i', n.iface, ...comment(owner), '-j', 'DROP'],
    what: `the source check is missing: packets from ${n.iface} whose source is not in ${n.subnet} are not dropped, so containers can spoof`,
  }];
}

/**
 * The rules of one bridge network:
 * - the source check (spoofRules);
 * - isolation: what leaves the bridge for another nslab bridge is dropped (stage 1 → 2);
 *   on an internal network, whatever crosses the bridge in either direction is dropped;
 * - MASQUERADE of what leaves by another interface (not on internal networks, or with
 *   masquerade off);
 * - forwarding: replies back in and new connections out (not internal), and container to
 *   container — ACCEPT, or DROP with icc off, which only bites when bridged traffic passes
 *   through iptables (net.bridge.bridge-nf-call-iptables=1, which the engine turns on then).
 * `owner` is the comment every rule carries (the old format's, to find a previous release's rules).
 */
export function networkRules(n: NetworkFirewallSpec, owner = networkComment(n.name)): Rule[] {
  const c = comment(owner);
  const rules: Rule[] = [...spoofRules(n, owner)];
  if (n.internal) {
    rules.push(
      { table: 'filter', chain: ISO1_CHAIN, spec: ['-i', n.iface, '!', '-o', n.iface, ...c, '-j', 'DROP'],
        what: `internal network ${n.name} is not closed: what leaves ${n.iface} for another interface is not dropped` },
      { table: 'filter', chain: ISO1_CHAIN, spec: ['!', '-i', n.iface, '-o', n.iface, ...c, '-j', 'DROP'],
        what: `internal network ${n.name} is not closed: what enters ${n.iface} from another interface is not dropped` },
    );
  } else {
    rules.push({ table: 'filter', chain: ISO1_CHAIN, spec: ['-i', n.iface, '!', '-o', n.iface, ...c, '-j', ISO2_CHAIN],
      what: `isolation is missing: what leaves ${n.iface} is not checked against the other nslab networks` });
  }
  rules.push({ table: 'filter', chain: ISO2_CHAIN, spec: ['-o', n.iface, ...c, '-j', 'DROP'],
    what: `isolation is missing: what other nslab networks send into ${n.iface} is not dropped` });
  if (n.masquerade && !n.internal) {
    rules.push({ table: 'nat', chain: NAT_CHAIN, spec: ['-s', n.subnet, '!', '-o', n.iface, ...c, '-j', 'MASQUERADE'],
      what: `MASQUERADE for ${n.subnet} is missing: what leaves the subnet keeps its private source address` });
  }
  if (!n.internal) {
    rules.push(
      { table: 'filter', chain: FWD_CHAIN, spec: ['-o', n.iface, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...c, '-j', 'ACCEPT'],
        what: `forwarding of replies into ${n.iface} is missing` },
      { table: 'filter', chain: FWD_CHAIN, spec: ['-i', n.iface, '!', '-o', n.iface, ...c, '-j', 'ACCEPT'],
        what: `forwarding of what leaves ${n.iface} is missing` },
    );
  }
  rules.push({ table: 'filter', chain: FWD_CHAIN, spec: ['-i', n.iface, '-o', n.iface, ...c, '-j', n.icc ? 'ACCEPT' : 'DROP'],
    what: n.icc ? `ICC is missing: traffic between containers on ${n.iface} is not accepted` : `ICC off is missing: traffic between containers on ${n.iface} is not dropped` });
  return rules;
}

/** nslab's INPUT chain and its jump: made with the first network's DNS rules, removed with the shared chains. */
export const INPUT_BASE_CHAIN: ChainDecl = { table: 'filter', chain: INPUT_CHAIN };
export const INPUT_JUMP: Rule = jump('filter', 'INPUT', INPUT_CHAIN, true);

/**
 * DNS from one network to nslabd's server on its gateway (udp and tcp 53), accepted on the
 * host even where INPUT's policy is DROP; only from the network's own interface and only to
 * its own gateway, so nothing else of the host is opened. Internal networks too (Docker's
 * embedded DNS serves them). None without a gateway.
 */
export function dnsRules(n: Pick<NetworkFirewallSpec, 'name' | 'iface' | 'gateway'>, owner = networkComment(n.name)): Rule[] {
  if (!n.gateway) return [];
  // Words in iptables-save's order (it adds the -m udp / -m tcp match of --dport).
  return (['udp', 'tcp'] as const).map((p) => ({
    table: 'filter', chain: INPUT_CHAIN, spec: ['-d', `${n.gateway}/32`, '-i', n.iface, '-p', p, '-m', p, '--dport', '53', ...comment(owner), '-j', 'ACCEPT'],
    what: `DNS (${p} 53) from ${n.iface} to nslabd's server on ${n.gateway} is not accepted on the host`,
  }));
}

/** "-A CHAIN spec…" words, as in iptables-save. */
export function ruleWords(r: Rule): string[] {
  return ['-A', r.chain, ...r.spec];
}
