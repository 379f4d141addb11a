// A packet walked through the rules of iptables-save on paper: each rule that matches, in order, and the verdict.
import type { Ruleset } from '../firewall/iptables/save.js';
import { matchAll } from './match.js';
import type { HostFacts, Packet } from './packet.js';
import { parseRule, targetArg, type ParsedRule } from './rule.js';

export type Table = 'raw' | 'mangle' | 'nat' | 'filter';
export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

/** What a matched rule did: jumped, went on (LOG, MARK…), ended the walk, or could not be evaluated. */
export type Effect = 'jump' | 'continue' | 'return' | 'accept' | 'drop' | 'reject' | 'dnat' | 'snat' | 'masquerade' | 'unevaluated';

export interface Hit {
  table: Table;
  chain: string;
  line: string;
  target: string;
  effect: Effect;
  comment?: string;
  /** For DNAT/SNAT/MASQUERADE: the address (and port) written into the packet. */
  rewrite?: string;
  /** For an unevaluated rule: the match the trace could not test (it is assumed not to match). */
  why?: string;
}

/** The end of a walk through one table's chain of a hook. */
export interface Verdict {
  effect: Exclude<Effect, 'jump' | 'continue' | 'return' | 'unevaluated'>;
  /** The rule that decided, or the built-in chain whose policy did. */
  by: Hit | { policy: string; table: Table; chain: string };
}

/** Targets that end a walk (RETURN ends one chain), by the effect they have. */
export const TERMINAL_EFFECTS: Record<string, Effect> = { ACCEPT: 'accept', DROP: 'drop', REJECT: 'reject', DNAT: 'dnat', SNAT: 'snat', MASQUERADE: 'masquerade', REDIRECT: 'dnat', RETURN: 'return' };
/** Targets that let the packet go on to the next rule. */
const GOES_ON = new Set(['LOG', 'NFLOG', 'TRACE', 'MARK', 'CONNMARK', 'CT', 'NOTRACK', 'TCPMSS', 'CHECKSUM', 'CLASSIFY', 'TOS', 'TTL', 'DSCP', 'AUDIT']);

const cache = new WeakMap<Ruleset, Map<string, ParsedRule[]>>();
function chainRules(rs: Ruleset, table: Table, chain: string): ParsedRule[] {
  let byChain = cache.get(rs);
  if (!byChain) cache.set(rs, (byChain = new Map()));
  const key = `${table}/${chain}`;
  let rules = byChain.get(key);
  if (!rules) byChain.set(key, (rules = (rs.rules.get(table) ?? []).filter((w) => w[1] === chain).map(parseRule)));
  return rules;
}

/** The address a NAT target writes, as the packet will carry it. */
function rewriteOf(r: ParsedRule, p: Packet, host: HostFacts): string | undefined {
  if (r.target === 'DNAT') return targetArg(r, '--to-destination');
  if (r.target === 'SNAT') return targetArg(r, '--to-source');
  if (r.target === 'MASQUERADE') return p.out ? host.masqueradeSource(p.out) : undefined;
  if (r.target === 'REDIRECT') {
    // To the host itself: the primary address of the interface it came in by (127.0.0.1 for
    // the host's own packets, OUTPUT), on --to-ports (else the port it had).
    const to = p.in ? host.masqueradeSource(p.in) : '127.0.0.1';
    const port = targetArg(r, '--to-ports')?.split('-')[0] ?? p.dport;
    return to && (port !== undefined ? `${to}:${port}` : to);
  }
  return undefined;
}

/**
 * Walk `chain` of `table` for packet `p`: every rule that matches (and every one the trace
 * cannot evaluate, taken as not matching) goes into `hits`, user chains are followed, and the
 * walk ends at a terminal target, a RETURN, or the chain's end (undefined: fell through).
 */
function walk(rs: Ruleset, table: Table, chain: string, p: Packet, host: HostFacts, hits: Hit[], depth: number): Verdict | 'return' | undefined {
  if (depth > 32) return undefined;
  for (const r of chainRules(rs, table, chain)) {
    const a = matchAll(r.matches, p, host);
    if (a.is === 'no') continue;
    const target = r.target ?? '';
    const base = { table, chain, line: r.line, target, ...(r.comment ? { comment: r.comment } : {}) };
    if (a.is === 'unknown') {
      hits.push({ ...base, effect: 'unevaluated', why: a.why });
      continue;
    }
    if (rs.chains.get(table)?.has(target) && !TERMINAL_EFFECTS[target]) {
      hits.push({ ...base, effect: 'jump' });
      const v = walk(rs, table, target, p, host, hits, depth + 1);
      if (v && v !== 'return') return v;
      if (r.goto) return 'return';
      continue;
    }
    const effect = TERMINAL_EFFECTS[target] ?? 'continue';
    const rewrite = rewriteOf(r, p, host);
    const hit: Hit = { ...base, effect, ...(rewrite ? { rewrite } : {}), ...(effect === 'continue' && target && !GOES_ON.has(target) ? { why: `target ${target} is not evaluated; the walk goes on` } : {}) };
    hits.push(hit);
    if (effect === 'return') return 'return';
    if (effect !== 'continue') return { effect: effect as Verdict['effect'], by: hit };
  }
  return undefined;
}

/** One table's built-in chain for the packet: the rules hit and the verdict (the policy when none decided). */
export function evalChain(rs: Ruleset, table: Table, chain: Hook, p: Packet, host: HostFacts): { hits: Hit[]; verdict: Verdict } {
  const hits: Hit[] = [];
  const v = walk(rs, table, chain, p, host, hits, 0);
  if (v && v !== 'return') return { hits, verdict: v };
  const policy = rs.policies.get(`${table}/${chain}`) ?? 'ACCEPT';
  return { hits, verdict: { effect: policy === 'DROP' ? 'drop' : 'accept', by: { policy, table, chain } } };
}

/** The tables each hook passes through, in the kernel's order (nat only for a connection's first packet). */
const ORDER: Record<Hook, Table[]> = {
  PREROUTING: ['raw', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'nat'],
  FORWARD: ['mangle', 'filter'],
  OUTPUT: ['raw', 'mangle', 'nat', 'filter'],
  POSTROUTING: ['mangle', 'nat'],
};

export interface HookResult {
  hook: Hook;
  /** Each table walked, with what it hit and decided. */
  tables: Array<{ table: Table; hits: Hit[]; verdict: Verdict }>;
  /** The packet after the hook (DNAT, SNAT and MASQUERADE applied). */
  packet: Packet;
  /** Set when a table dropped or rejected it. */
  dropped?: Verdict;
}

/**
 * Pass packet `p` through one hook: each table that exists in the ruleset, in the kernel's
 * order, stopping at a DROP or REJECT; NAT rewrites the packet for the tables after it. nat is
 * consulted only for a NEW connection (later packets follow conntrack's mapping). Pure.
 */
export function passHook(rs: Ruleset, hook: Hook, p: Packet, host: HostFacts): HookResult {
  let packet = { ...p };
  const tables: HookResult['tables'] = [];
  for (const table of ORDER[hook]) {
    if (!rs.chains.get(table)?.has(hook)) continue;
    if (table === 'nat' && packet.ctstate !== 'NEW') continue;
    const { hits, verdict } = evalChain(rs, table, hook, packet, host);
    tables.push({ table, hits, verdict });
    if (verdict.effect === 'drop' || verdict.effect === 'reject') return { hook, tables, packet, dropped: verdict };
    const rewrite = 'line' in verdict.by ? verdict.by.rewrite : undefined;
    if (rewrite && verdict.effect === 'dnat') {
      const [ip, port] = rewrite.split(':');
      packet = { ...packet, ...(ip ? { dst: ip } : {}), ...(port ? { dport: Number(port.split('-')[0]) } : {}), dnat: true };
    } else if (rewrite && (verdict.effect === 'snat' || verdict.effect === 'masquerade')) {
      packet = { ...packet, src: rewrite.split(':')[0]!, snat: true };
    }
  }
  return { hook, tables, packet };
}
