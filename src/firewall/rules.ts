// nslab's iptables rules as data: one function builds them for both setup and teardown.
import { BASE_COMMENT, FWD_CHAIN, NAT_CHAIN, USER_CHAIN, networkComment } from './names.js';

export type Table = 'nat' | 'filter';

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
  { table: 'nat', chain: NAT_CHAIN },
  { table: 'filter', chain: FWD_CHAIN },
  { table: 'filter', chain: USER_CHAIN },
];

const comment = (c: string) => ['-m', 'comment', '--comment', c];

/**
 * The jumps from built-in chains (inserted first, so they run before a DROP policy or
 * Docker's own chains), and the jump to the users' chain at the head of NSLAB-FORWARD.
 */
export const BASE_RULES: readonly Rule[] = [
  { table: 'nat', chain: 'POSTROUTING', spec: [...comment(BASE_COMMENT), '-j', NAT_CHAIN], insert: true },
  { table: 'filter', chain: 'FORWARD', spec: [...comment(BASE_COMMENT), '-j', FWD_CHAIN], insert: true },
  { table: 'filter', chain: FWD_CHAIN, spec: [...comment(BASE_COMMENT), '-j', USER_CHAIN] },
];

export interface NetworkFirewallSpec {
  readonly name: string;
  readonly bridge: string;
  readonly subnet: string;
  readonly masquerade: boolean;
  readonly icc: boolean;
}

/**
 * The rules of one bridge network: MASQUERADE of what leaves by another interface,
 * replies back in, new connections out, and (with icc) container to container when
 * bridged traffic is passed through iptables.
 */
export function networkRules(n: NetworkFirewallSpec): Rule[] {
  const c = comment(networkComment(n.name));
  const rules: Rule[] = [];
  if (n.masquerade) {
    rules.push({ table: 'nat', chain: NAT_CHAIN, spec: ['-s', n.subnet, '!', '-o', n.bridge, ...c, '-j', 'MASQUERADE'] });
  }
  rules.push(
    { table: 'filter', chain: FWD_CHAIN, spec: ['-o', n.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...c, '-j', 'ACCEPT'] },
    { table: 'filter', chain: FWD_CHAIN, spec: ['-i', n.bridge, '!', '-o', n.bridge, ...c, '-j', 'ACCEPT'] },
    { table: 'filter', chain: FWD_CHAIN, spec: ['-i', n.bridge, '-o', n.bridge, ...c, '-j', n.icc ? 'ACCEPT' : 'DROP'] },
  );
  return rules;
}

/** "-A CHAIN spec…" words, as in iptables-save. */
export function ruleWords(r: Rule): string[] {
  return ['-A', r.chain, ...r.spec];
}
