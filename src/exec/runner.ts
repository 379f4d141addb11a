// The one seam through which nslab changes the host: processes (execa, argv arrays, LC_ALL=C) and files.
import { closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { NslabError } from '../errors.js';
import { argvOf, type Command, type FileOp } from './command.js';
import { CommandError, type Outcome } from './outcome.js';
import { Launcher, type Launched } from './launcher.js';

export interface Runner {
  /** Run a command; resolves with its outcome whatever the exit code. */
  run(cmd: Command): Promise<Outcome>;
  /** Carry out a file op (mkdir -p, write, rm -rf). */
  file(op: FileOp): Promise<void>;
}

// execa and its dependencies are a third of the CLI's code: read-only commands never load them.
let execaModule: Promise<typeof import('execa')> | undefined;
const loadExeca = () => (execaModule ??= import('execa'));

/**
 * Runs commands for real. Every command is logged with argv, exit code and duration. Commands
 * are started by a Launcher (one bash beside node) unless `launcher: false`; one the launcher
 * cannot take is run with execa.
 */
export class ExecaRunner implements Runner {
  private readonly launcher: Launcher | undefined;

  /** `launcher`: false to run with execa only; a Launcher to share one (nslabd: one for all its requests). */
  constructor(private readonly log?: Logger, o: { launcher?: boolean | Launcher } = {}) {
    this.launcher = o.launcher === false ? undefined : o.launcher instanceof Launcher ? o.launcher : new Launcher();
  }

  async run(cmd: Command): Promise<Outcome> {
    const argv = argvOf(cmd);
    const start = performance.now();
    const r = await this.launch(argv, cmd.stdin);
    const outcome: Outcome = { argv, ...r, durationMs: Math.round((performance.now() - start) * 100) / 100 };
    const level = cmd.mutates ? 'info' : 'debug';
    this.log?.[level](
      { argv, stdin: cmd.stdin, exitCode: outcome.exitCode, ms: outcome.durationMs, stderr: outcome.stderr.trim() || undefined },
      'kernel command',
    );
    return outcome;
  }

  private async launch(argv: string[], input: string | undefined): Promise<Launched> {
    if (this.launcher) {
      try {
        return await this.launcher.run(argv, input);
      } catch {
        /* not taken (no bash, a full disk): run it here */
      }
    }
    const { execa } = await loadExeca();
    const r = await execa(argv[0]!, argv.slice(1), { input, reject: false, stripFinalNewline: false, env: { LC_ALL: 'C' } });
    return {
      exitCode: typeof r.exitCode === 'number' ? r.exitCode : 127,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? '') || (typeof r.exitCode !== 'number' ? String(r.message) : ''),
    };
  }

  /** Let the launcher end once its commands are done (a long-lived caller: nslabd on exit). */
  close(): void {
    this.launcher?.close();
  }

  // Small files under /etc/netns: the sync calls cost ~0.05 ms each, the async ones ~0.25 ms.
  async file(op: FileOp): Promise<void> {
    fileOp(op);
    this.log?.info({ file: op.kind, path: op.path }, 'file op');
  }
}

/** A file op refused because its path or its directory is a symbolic link. */
export class SymlinkError extends NslabError {
  constructor(readonly path: string, op: string) {
    super('failed', `refusing to ${op} ${path}: it (or its directory) is a symbolic link, and nslab never writes or deletes through one; remove the link if it should not be there`);
    this.name = 'SymlinkError';
  }
}

const isLink = (p: string) => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

/**
 * Carry out a file op without following a symbolic link at the path or at its directory:
 * mkdir (parents as needed; an existing directory is fine), write (create or truncate, every
 * byte), rm -rf (the tree itself; links inside it are removed, not followed; absent is fine).
 */
export function fileOp(op: FileOp): void {
  const verb = op.kind === 'rm' ? 'remove' : op.kind === 'mkdir' ? 'create the directory' : 'write';
  if (isLink(op.path) || isLink(dirname(op.path))) throw new SymlinkError(op.path, verb);
  if (op.kind === 'mkdir') {
    mkdirSync(dirname(op.path), { recursive: true, mode: 0o755 });
    try {
      mkdirSync(op.path, { mode: 0o755 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !lstatSync(op.path).isDirectory()) throw e;
    }
  } else if (op.kind === 'write') {
    const fd = openSync(op.path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    try {
      const buf = Buffer.from(op.content, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    } finally {
      closeSync(fd);
    }
  } else {
    rmSync(op.path, { recursive: true, force: true });
  }
}

/** Run and throw a classified CommandError on failure. */
export async function runOk(runner: Runner, cmd: Command, what?: string): Promise<Outcome> {
  const out = await runner.run(cmd);
  if (out.exitCode !== 0) throw new CommandError(cmd, out, what);
  return out;
}

/** Run a read that returns JSON (`ip -json …`); an empty answer is []. */
export async function runJson<T>(runner: Runner, cmd: Command, what?: string): Promise<T> {
  const out = await runOk(runner, cmd, what);
  const text = out.stdout.trim();
  return (text ? JSON.parse(text) : []) as T;
}
