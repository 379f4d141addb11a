// The kernel's trace of a probe (xtables-monitor --trace lines) read into rules, and compared with the paper trace.
import { words } from '../firewall/iptables/save.js';
import type { TraceResult } from './hops.js';
import { TERMINAL_EFFECTS, type Hit, type Table } from './netfilter-eval.js';
import type { Packet } from './packet.js';
import { parseRule, targetArg } from './rule.js';
import type { TracedHit } from './probe-types.js';
import { hitWords, type WordsContext } from './words.js';

/** `nslab-trace:PID` as a whole word: not the start of another probe's `nslab-trace:PID7`. */
export const markerRe = (marker: string) => new RegExp(`${marker}(?![0-9])`);

/** The same rule compares equal however it was quoted. */
export const normalLine = (line: string) => words(line).join(' ');

/**
 * Read `xtables-monitor --trace` output: each TRACE line in order (a rule that matched, or a
 * chain's policy), without the probe's own TRACE rule (its comment is `marker`) and without
 * repeats (a retransmitted SYN traces again). `words` names each rule as the paper trace does,
 * with the interfaces of the PACKET line before it. Pure.
 */
export function parseMonitor(text: string, marker: string, networkOf: WordsContext['networkOf'], packet: Packet): TracedHit[] {
  const out: TracedHit[] = [];
  const seen = new Set<string>();
  let ctx: WordsContext = { packet, networkOf };
  const mine = markerRe(marker);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('PACKET:')) {
      const f = (k: string) => new RegExp(`\\b${k}=(\\S+)`).exec(line)?.[1];
      ctx = { networkOf, packet: { ...packet, in: f('IN'), out: f('OUT'), src: f('SRC') ?? packet.src, dst: f('DST') ?? packet.dst, dport: f('DPORT') ? Number(f('DPORT')) : packet.dport } };
      continue;
    }
    const m = /^TRACE: \d+ [0-9a-f]+ (\w+):(\S+?):(rule|policy|return):(\S*)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, table, chain, kind, rest, ruleText] = m as unknown as [string, string, string, string, string, string];
    if (mine.test(ruleText)) continue;
    const parts = rest.split(':');
    const verdict = kind === 'rule' ? parts.slice(1).join(':') : kind === 'policy' ? parts[0]! : 'RETURN';
    const ruleLine = ruleText ? normalLine(ruleText.replace(/^-4 -t \S+ /, '')) : undefined;
    const key = `${table} ${chain} ${kind} ${ruleLine ?? verdict}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const hit: TracedHit = { table, chain, verdict, ...(ruleLine ? { line: ruleLine } : {}) };
    if (ruleLine) hit.words = hitWords(asHit(table as Table, ruleLine, verdict), ctx);
    out.push(hit);
  }
  return out;
}

/** A traced rule in the paper trace's shape, so the same words name it. */
function asHit(table: Table, line: string, verdict: string): Hit {
  const r = parseRule(words(line));
  const target = r.target ?? '';
  const effect = /^(JUMP|GOTO):/.test(verdict) ? 'jump' : TERMINAL_EFFECTS[target] ?? 'continue';
  const rewrite = targetArg(r, '--to-destination') ?? targetArg(r, '--to-source');
  return { table, chain: r.chain, line, target, effect, ...(r.comment ? { comment: r.comment } : {}), ...(rewrite ? { rewrite } : {}) };
}

/** The paper trace's rules and policies of the way there (not the reply), as comparable keys. */
function inferredKeys(t: TraceResult): Map<string, string> {
  const keys = new Map<string, string>();
  for (const hop of t.hops) {
    for (const tb of hop.tables ?? []) {
      for (const r of tb.rules) if (r.effect !== 'unevaluated') keys.set(`${r.table} ${normalLine(r.line)}`, `${r.table} ${r.line}`);
      const last = tb.rules[tb.rules.length - 1];
      if (!last || last.words !== tb.verdict) keys.set(`${tb.table} ${hop.hook} policy`, `${tb.table} ${hop.hook} policy`);
    }
  }
  return keys;
}

/** Where the probe and the paper disagree: rules inferred but not hit, and hit but not inferred. Pure. */
export function compare(t: TraceResult, hits: readonly TracedHit[]): string[] {
  const inferred = inferredKeys(t);
  const traced = new Map(hits.map((h) => [h.line ? `${h.table} ${h.line}` : `${h.table} ${h.chain} policy`, h.line ? `${h.table} ${h.line}` : `${h.table} ${h.chain} policy ${h.verdict}`]));
  const out: string[] = [];
  for (const [k, v] of inferred) if (!traced.has(k)) out.push(`inferred but not hit: ${v}`);
  for (const [k, v] of traced) if (!inferred.has(k)) out.push(`hit but not inferred: ${v}`);
  return out;
}
