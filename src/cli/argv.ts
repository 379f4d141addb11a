// Global options anywhere on the line: moved in front of the command words, where commander reads them.

/** A global option's spelling and whether it takes a value (`--state-dir DIR`, `--state-dir=DIR`). */
export interface GlobalFlag {
  flag: string;
  takesValue: boolean;
}

/**
 * `args` (after the program's name) with every global option moved to the front, in order,
 * so `nslab container ls --json` reads as `nslab --json container ls`, as Docker and `ip`
 * accept it. Nothing after `--` moves, nor anything after `exec NAME` (the command run
 * inside keeps its own flags). Pure; hoisting twice gives the same line.
 */
export function hoistGlobals(args: readonly string[], globals: readonly GlobalFlag[]): string[] {
  return splitGlobals(args, globals).flat();
}

/** The global options of `args` (with their values) and the rest, as `hoistGlobals` splits them. Pure. */
export function splitGlobals(args: readonly string[], globals: readonly GlobalFlag[]): [string[], string[]] {
  const front: string[] = [];
  const rest: string[] = [];
  const byFlag = new Map(globals.map((g) => [g.flag, g]));
  let words = 0;
  let exec = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || (exec && words >= 2)) {
      rest.push(...args.slice(i));
      break;
    }
    const g = byFlag.get(a.split('=', 1)[0]!);
    if (g) {
      front.push(a);
      if (g.takesValue && !a.includes('=') && i + 1 < args.length) front.push(args[++i]!);
      continue;
    }
    if (!a.startsWith('-')) {
      if (words === 0 && a === 'exec') exec = true;
      words++;
    }
    rest.push(a);
  }
  return [front, rest];
}
