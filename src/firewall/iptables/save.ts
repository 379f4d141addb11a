// Parses `iptables-save` output into chains and rules (as word lists) for comparison.
import type { Rule, Table } from './rules.js';
import { ruleWords } from './rules.js';

export interface Ruleset {
  readonly chains: ReadonlyMap<string, ReadonlySet<string>>; // table -> chains
  readonly rules: ReadonlyMap<string, ReadonlyArray<readonly string[]>>; // table -> "-A CHAIN …" words
  readonly policies: ReadonlyMap<string, string>; // "table/CHAIN" -> policy
}

/** Split one iptables-save line into words, honouring double quotes (comments). */
export function words(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

export function parseIptablesSave(text: string): Ruleset {
  const chains = new Map<string, Set<string>>();
  const rules = new Map<string, string[][]>();
  const policies = new Map<string, string>();
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      chains.set(table, new Set());
      rules.set(table, []);
    } else if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      chains.get(table)?.add(name!);
      if (policy && policy !== '-') policies.set(`${table}/${name}`, policy);
    } else if (line.startsWith('-A ')) {
      rules.get(table)?.push(words(line));
    }
  }
  return { chains, rules, policies };
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((w, i) => w === b[i]);

export function hasRule(rs: Ruleset, r: Rule): boolean {
  const want = ruleWords(r);
  return (rs.rules.get(r.table) ?? []).some((w) => same(w, want));
}

export function hasChain(rs: Ruleset, table: Table, chain: string): boolean {
  return rs.chains.get(table)?.has(chain) ?? false;
}

/** The `--comment` of a rule's words (as iptables-save printed them), or undefined. */
export function commentOf(w: readonly string[]): string | undefined {
  const i = w.indexOf('--comment');
  return i >= 0 ? w[i + 1] : undefined;
}

/** Rules of a chain, in order. */
export function rulesOf(rs: Ruleset, table: Table, chain: string): ReadonlyArray<readonly string[]> {
  return (rs.rules.get(table) ?? []).filter((w) => w[1] === chain);
}
