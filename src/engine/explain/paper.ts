// A ruleset on paper: what iptables would hold after a plan's commands, so that explain plans
// each network and container against what the earlier ones left, as the real runs observe it.
import type { Command, Op } from '../../exec/command.js';
import type { Outcome } from '../../exec/outcome.js';
import type { Runner } from '../../exec/runner.js';
import { words } from '../../firewall/iptables/save.js';

const TABLES = ['raw', 'mangle', 'nat', 'filter'] as const;

const quoted = (w: string) => (/^[^\s"'\\]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`);
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((w, i) => w === b[i]);

/** One table: its declared chains and its rules as `-A CHAIN …` word lists, in order. */
interface Table {
  chains: Set<string>;
  rules: string[][];
}

/**
 * iptables state built only from the commands handed to `apply` (restore inputs and single
 * `iptables` calls), starting from an empty ruleset; read back through `runner` as the
 * `iptables-save` text a backend's observe parses. Pure bookkeeping: nothing runs.
 */
export class PaperRuleset {
  private readonly tables = new Map<string, Table>(TABLES.map((t) => [t, { chains: new Set<string>(), rules: [] }]));

  private table(name: string): Table {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = { chains: new Set(), rules: [] }));
    return t;
  }

  /** Apply one rule-changing line (`-A`, `-I C N`, `-D`, `-N`, `-X`, `-F`, `:C - [0:0]`) to table `name`. */
  private line(name: string, w: readonly string[]): void {
    const t = this.table(name);
    const [op, chain] = w;
    if (!op || !chain) return;
    if (op.startsWith(':')) {
      // A declaration under --noflush creates the chain, or flushes it when it exists.
      const c = op.slice(1);
      t.chains.add(c);
      t.rules = t.rules.filter((r) => r[1] !== c);
    } else if (op === '-A') t.rules.push(['-A', chain, ...w.slice(2)]);
    else if (op === '-I') {
      const at = t.rules.findIndex((r) => r[1] === chain);
      const rule = ['-A', chain, ...w.slice(/^\d+$/.test(w[2] ?? '') ? 3 : 2)];
      t.rules.splice(at < 0 ? t.rules.length : at, 0, rule);
    } else if (op === '-D') {
      const want = ['-A', chain, ...w.slice(2)];
      const i = t.rules.findIndex((r) => same(r, want));
      if (i >= 0) t.rules.splice(i, 1);
    } else if (op === '-N') t.chains.add(chain);
    else if (op === '-X') t.chains.delete(chain);
    else if (op === '-F') t.rules = t.rules.filter((r) => r[1] !== chain);
  }

  private command(cmd: Command): void {
    if (cmd.file === 'iptables-restore' && cmd.stdin) {
      let table = 'filter';
      for (const l of cmd.stdin.split('\n')) {
        if (l.startsWith('*')) table = l.slice(1).trim();
        else if (l.startsWith(':')) this.line(table, [l.split(/\s+/)[0]!, 'x']);
        else if (l.startsWith('-')) this.line(table, words(l));
      }
    } else if (cmd.file === 'iptables') {
      const args = cmd.args.filter((a) => a !== '--wait' && a !== '-w');
      const t = args.indexOf('-t');
      const table = t >= 0 ? args[t + 1]! : 'filter';
      this.line(table, t >= 0 ? [...args.slice(0, t), ...args.slice(t + 2)] : args);
    }
  }

  /** Take in what `ops` would do to the ruleset (other ops are not the ruleset's). */
  apply(ops: readonly Op[]): void {
    for (const op of ops) if (op.kind === 'cmd') this.command(op);
  }

  /** The ruleset as `iptables-save` prints it (no counters). */
  save(): string {
    const out: string[] = [];
    for (const [name, t] of this.tables) {
      out.push(`*${name}`, ...[...t.chains].map((c) => `:${c} - [0:0]`), ...t.rules.map((r) => r.map(quoted).join(' ')), 'COMMIT');
    }
    return out.join('\n') + '\n';
  }

  /** A runner that answers `iptables-save` from this paper (what a backend's observe reads) and nothing else. */
  runner(): Runner {
    return {
      run: async (cmd: Command): Promise<Outcome> => {
        if (cmd.file !== 'iptables-save') throw new Error(`internal: explain reads only iptables-save on paper, not ${cmd.file}`);
        return { argv: [cmd.file, ...cmd.args], exitCode: 0, stdout: this.save(), stderr: '', durationMs: 0 };
      },
      file: async () => {
        throw new Error('internal: explain changes no file');
      },
    };
  }
}
