// nslab's iptables rules as data: one function builds them for both setup and teardown.
import { BASE_COMMENT, FWD_CHAIN, ISO1_CHAIN, ISO2_CHAIN, NAT_CHAIN, RAW_CHAIN, USER_CHAIN, networkComment } from './names.js';

export type Table = 'raw' | 'nat' | 'filter';

/** One rule: table, chain and the match/target words as iptables-save prints them. */
export interface Rule {
  readonly table: Table;
  readonly chain: string;
  readonly spec: readonly string[];
  /** Insert at the top of a built-in chain instead of appending. */
  readonly insert?: boolean;
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
export const BASE_RULES: readonly Rule[] = [
  { table: 'raw', chain: 'PREROUTING', spec: [...comment(BASE_COMMENT), '-j', RAW_CHAIN], insert: true },
  { table: 'nat', chain: 'POSTROUTING', spec: [...comment(BASE_COMMENT), '-j', NAT_CHAIN], insert: true },
  { table: 'filter', chain: 'FORWARD', spec: [...comment(BASE_COMMENT), '-j', FWD_CHAIN], insert: true },
  { table: 'filter', chain: FWD_CHAIN, spec: [...comment(BASE_COMMENT), '-j', USER_CHAIN] },
  { table: 'filter', chain: FWD_CHAIN, spec: [...comment(BASE_COMMENT), '-j', ISO1_CHAIN] },
];

export interface NetworkFirewallSpec {
  readonly name: string;
  readonly bridge: string;
  readonly subnet: string;
  readonly masquerade: boolean;
  readonly icc: boolean;
  readonly internal: boolean;
}

/**
 * The source check of one bridge network: whatever arrives from its bridge with a source
 * outside its subnet is dropped, routed or bridged, before conntrack sees it. Chosen over
 * rp_filter=1 on the bridge because the kernel applies max(conf.all, conf.BRIDGE): where a
 * distribution sets all.rp_filter=2 (loose: any route back will do), the bridge's strict
 * setting would silently not hold; a rule also shows its drops in its counters.
 */
// Words in iptables-save's order (source before interface), so the live rule compares equal.
export function spoofRules(n: Pick<NetworkFirewallSpec, 'name' | 'bridge' | 'subnet'>, owner = networkComment(n.name)): Rule[] {
  return [{ table: 'raw', chain: RAW_CHAIN, spec: ['!', '-s', n.subnet, '-i', n.bridge, ...comment(owner), '-j', 'DROP'] }];
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
      { table: 'filter', chain: ISO1_CHAIN, spec: ['-i', n.bridge, '!', '-o', n.bridge, ...c, '-j', 'DROP'] },
      { table: 'filter', chain: ISO1_CHAIN, spec: ['!', '-i', n.bridge, '-o', n.bridge, ...c, '-j', 'DROP'] },
    );
  } else {
    rules.push({ table: 'filter', chain: ISO1_CHAIN, spec: ['-i', n.bridge, '!', '-o', n.bridge, ...c, '-j', ISO2_CHAIN] });
  }
  rules.push({ table: 'filter', chain: ISO2_CHAIN, spec: ['-o', n.bridge, ...c, '-j', 'DROP'] });
  if (n.masquerade && !n.internal) {
    rules.push({ table: 'nat', chain: NAT_CHAIN, spec: ['-s', n.subnet, '!', '-o', n.bridge, ...c, '-j', 'MASQUERADE'] });
  }
  if (!n.internal) {
    rules.push(
      { table: 'filter', chain: FWD_CHAIN, spec: ['-o', n.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...c, '-j', 'ACCEPT'] },
      { table: 'filter', chain: FWD_CHAIN, spec: ['-i', n.bridge, '!', '-o', n.bridge, ...c, '-j', 'ACCEPT'] },
    );
  }
  rules.push({ table: 'filter', chain: FWD_CHAIN, spec: ['-i', n.bridge, '-o', n.bridge, ...c, '-j', n.icc ? 'ACCEPT' : 'DROP'] });
  return rules;
}

/** "-A CHAIN spec…" words, as in iptables-save. */
export function ruleWords(r: Rule): string[] {
  return ['-A', r.chain, ...r.spec];
}
