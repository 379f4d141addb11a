// The iptables backend: batched changes through one `iptables-restore --noflush` call.
import type { Command } from '../exec/command.js';
import { runOk, type Runner } from '../exec/runner.js';
import type { Firewall } from './firewall.js';
import { FWD_CHAIN, ISO1_CHAIN, ISO2_CHAIN, NAT_CHAIN, RAW_CHAIN, USER_CHAIN } from './names.js';
import { BASE_RULES, ruleWords, type ChainDecl, type Rule, type Table } from './rules.js';
import { hasChain, hasRule, parseIptablesSave, rulesOf, type Ruleset } from './ruleset.js';

const quoteWord = (w: string) => (/^[^\s"'\\]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`);

function iptables(args: string[]): Command {
  return { kind: 'cmd', file: 'iptables', args: ['--wait', ...args], mutates: true };
}

/**
 * A restore that changes only what it names. Chains are declared only when missing:
 * declaring an existing chain under --noflush flushes it (pinned in test/kernel).
 */
function restore(lines: Map<Table, string[]>): Command[] {
  const body: string[] = [];
  for (const [table, ls] of lines) if (ls.length) body.push(`*${table}`, ...ls, 'COMMIT');
  if (!body.length) return [];
  return [{ kind: 'cmd', file: 'iptables-restore', args: ['--wait', '--noflush'], stdin: body.join('\n') + '\n', mutates: true }];
}

const ruleLine = (op: '-A' | '-D', r: Rule) =>
  (op === '-A' && r.insert ? ['-I', r.chain, '1', ...r.spec] : [op, r.chain, ...r.spec]).map(quoteWord).join(' ');

function byTable(): Map<Table, string[]> {
  return new Map<Table, string[]>([['raw', []], ['nat', []], ['filter', []]]);
}

export class IptablesFirewall implements Firewall {
  async observe(runner: Runner): Promise<Ruleset> {
    const out = await runOk(runner, { kind: 'cmd', file: 'iptables-save', args: [], mutates: false }, 'read the ruleset');
    return parseIptablesSave(out.stdout);
  }

  ensure(live: Ruleset, chains: readonly ChainDecl[], rules: readonly Rule[]): Command[] {
    const lines = byTable();
    for (const c of chains) if (!hasChain(live, c.table, c.chain)) lines.get(c.table)!.push(`:${c.chain} - [0:0]`);
    for (const r of rules) if (!hasRule(live, r)) lines.get(r.table)!.push(ruleLine('-A', r));
    return restore(lines);
  }

  remove(live: Ruleset, rules: readonly Rule[]): Command[] {
    const lines = byTable();
    for (const r of rules) if (hasRule(live, r)) lines.get(r.table)!.push(ruleLine('-D', r));
    return restore(lines);
  }

  revert(rules: readonly Rule[]): Command[] {
    return [...rules].reverse().map((r) => iptables(['-t', r.table, '-D', r.chain, ...r.spec]));
  }

  removeChains(live: Ruleset): Command[] {
    // The chains are shared by every lab in this host: while any rule other than the jumps
    // between them is left (another lab's network, a hand-made one), they all stay.
    const own = [['raw', RAW_CHAIN], ['nat', NAT_CHAIN], ['filter', FWD_CHAIN], ['filter', ISO1_CHAIN], ['filter', ISO2_CHAIN]] as const;
    const base = new Set(BASE_RULES.map((r) => `${r.table} ${ruleWords(r).join(' ')}`));
    if (own.some(([table, chain]) => rulesOf(live, table, chain).some((w) => !base.has(`${table} ${w.join(' ')}`)))) return [];
    const lines = byTable();
    const userEmpty = rulesOf(live, 'filter', USER_CHAIN).length === 0;
    for (const r of BASE_RULES) if (hasRule(live, r)) lines.get(r.table)!.push(ruleLine('-D', r));
    // Deleted rule by rule, never flushed: if another lab added a rule meanwhile, -X fails
    // and the whole restore (one transaction) changes nothing.
    for (const [table, chain] of own) if (hasChain(live, table, chain)) lines.get(table)!.push(`-X ${chain}`);
    if (userEmpty && hasChain(live, 'filter', USER_CHAIN)) lines.get('filter')!.push(`-X ${USER_CHAIN}`);
    return restore(lines);
  }
}

