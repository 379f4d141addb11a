// One iptables-save rule read into its matches and target, so it can be tested against a packet.

/** One match option: `-s 10.0.0.0/24`, `! -o br0`, or a module's `--dport 80` (with its module). */
export interface MatchOpt {
  opt: string;
  values: string[];
  neg: boolean;
  module?: string;
}

export interface ParsedRule {
  chain: string;
  matches: MatchOpt[];
  /** Modules loaded with -m, in order (comment, conntrack, …). */
  modules: string[];
  target?: string;
  /** -g CHAIN: a goto (a RETURN from it returns from the caller too). */
  goto?: boolean;
  targetArgs: string[];
  comment?: string;
  /** The rule as iptables-save prints it. */
  line: string;
}

/** Options that take no value. */
const FLAGS = new Set(['-f', '--syn', '--physdev-is-bridged', '--physdev-is-in', '--physdev-is-out', '--rcheck', '--update', '--set', '--remove']);
/** Options that take two values. */
const TWO = new Set(['--tcp-flags', '--match-set']);

const quoted = (w: string) => (/^[^\s"'\\]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`);

/** Read the words of one `-A CHAIN …` line (as save.ts's `words` splits it). Pure. */
export function parseRule(words: readonly string[]): ParsedRule {
  const chain = words[1] ?? '';
  const spec = words.slice(2);
  const r: ParsedRule = { chain, matches: [], modules: [], targetArgs: [], line: words.map(quoted).join(' ') };
  let neg = false;
  let module: string | undefined;
  for (let i = 0; i < spec.length; i++) {
    const w = spec[i]!;
    if (w === '!') {
      neg = true;
    } else if (w === '-j' || w === '--jump' || w === '-g' || w === '--goto') {
      r.target = spec[i + 1];
      r.goto = w === '-g' || w === '--goto';
      r.targetArgs = spec.slice(i + 2);
      break;
    } else if (w === '-m' || w === '--match') {
      module = spec[++i];
      if (module) r.modules.push(module);
    } else if (w.startsWith('-')) {
      const n = FLAGS.has(w) ? 0 : TWO.has(w) ? 2 : 1;
      const values = spec.slice(i + 1, i + 1 + n);
      i += n;
      const single = !w.startsWith('--') || ['--source', '--destination', '--in-interface', '--out-interface', '--protocol'].includes(w);
      r.matches.push({ opt: w, values, neg, ...(single ? {} : { module }) });
      if (w === '--comment' && module === 'comment') r.comment = values[0];
      neg = false;
    }
  }
  return r;
}

/** The value following `flag` among a target's arguments (`--to-destination`, `--to-source`). */
export function targetArg(r: ParsedRule, flag: string): string | undefined {
  const i = r.targetArgs.indexOf(flag);
  return i >= 0 ? r.targetArgs[i + 1] : undefined;
}
