// Builds the commands that change iptables: one `iptables-restore --noflush` input per change.
import type { Command } from '../../exec/command.js';
import type { Rule, Table } from './rules.js';

const quoteWord = (w: string) => (/^[^\s"'\\]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`);

/** Lines of a restore input, by table (raw, nat, filter: the order they are written in). */
export type RestoreLines = Map<Table, string[]>;

export function byTable(): RestoreLines {
  return new Map<Table, string[]>([['raw', []], ['nat', []], ['filter', []]]);
}

/** One rule as a restore line: appended (or inserted first) with -A, deleted with -D. */
export const ruleLine = (op: '-A' | '-D', r: Rule) =>
  (op === '-A' && r.insert ? ['-I', r.chain, '1', ...r.spec] : [op, r.chain, ...r.spec]).map(quoteWord).join(' ');

/**
 * A restore that changes only what it names, or none when there is nothing to change.
 * Chains are declared only when missing: declaring an existing chain under --noflush flushes
 * it (pinned in test/kernel).
 */
export function restore(lines: RestoreLines): Command[] {
  const body: string[] = [];
  for (const [table, ls] of lines) if (ls.length) body.push(`*${table}`, ...ls, 'COMMIT');
  if (!body.length) return [];
  return [{ kind: 'cmd', file: 'iptables-restore', args: ['--wait', '--noflush'], stdin: body.join('\n') + '\n', mutates: true }];
}

/** Commands deleting each rule on its own, newest first; used to revert, where absence is tolerated. */
export function deleteEach(rules: readonly Rule[]): Command[] {
  return [...rules].reverse().map((r) => ({ kind: 'cmd', file: 'iptables', args: ['--wait', '-t', r.table, '-D', r.chain, ...r.spec], mutates: true }));
}
