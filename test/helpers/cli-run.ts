// Runs nslab's command tree in-process for CLI unit tests: what it printed on stdout and stderr, and its exit code.
import { runCli } from '../../src/cli/program.js';

export interface Printed {
  code: number;
  out: string;
  err: string;
}

/**
 * `runCli(args, make)` with stderr captured into `r.err` and the command's output into `r.out`
 * (what `make`'s Cli writes should go there too); process.exitCode is left as it was found.
 */
export async function runCaptured<R extends Printed>(r: R, args: readonly string[], make: Parameters<typeof runCli>[1]): Promise<R> {
  const write = process.stderr.write;
  process.stderr.write = ((s: string) => ((r.err += s), true)) as typeof write;
  try {
    r.code = await runCli(args, make, (s) => void (r.out += s));
  } finally {
    process.stderr.write = write;
    process.exitCode = undefined; // a run's exit code is its own
  }
  return r;
}
