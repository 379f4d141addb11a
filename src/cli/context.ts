// Global CLI options and the engine they configure.
import { existsSync } from 'node:fs';
import { ExecaRunner } from '../exec/runner.js';
import { Engine } from '../engine/engine.js';
import { makeLogger } from '../log.js';

export interface GlobalOptions {
  json?: boolean;
  dryRun?: boolean;
  stateDir: string;
  socket: string;
  logLevel?: string;
}

export interface Cli {
  opts: GlobalOptions;
  engine: Engine;
  out: (text: string) => void;
}

export function makeCli(opts: GlobalOptions): Cli {
  // The transcript goes to the state directory once it exists (the first change creates it):
  // a refused or read-only command leaves nothing on the host.
  const transcript = !opts.dryRun && existsSync(opts.stateDir) ? opts.stateDir : undefined;
  const log = makeLogger({ level: opts.logLevel, transcriptDir: transcript });
  const env = (k: string) => (process.env[k] ? Number(process.env[k]) : undefined);
  const tty = process.stderr.isTTY;
  const engine = new Engine({
    runner: new ExecaRunner(log),
    stateDir: opts.stateDir,
    log,
    dryRun: opts.dryRun,
    faultAt: env('NSLAB_FAULT_AT'), // test hooks: fail, or kill -9 the process, before op N
    crashAt: env('NSLAB_CRASH_AT'),
    emit: (s) => process.stdout.write(s),
    notice: (l) => process.stderr.write(`nslab: note: ${l}\n`),
    onProgress: tty ? (done, total) => process.stderr.write(`\r  applying ${done}/${total}${done === total ? '\n' : ''}`) : undefined,
  });
  return { opts, engine, out: (t) => process.stdout.write(t) };
}

export const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
