// pino loggers: JSON lines, pretty on a terminal, plus a transcript file of every kernel command.
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';

export interface LogOptions {
  level?: string;
  /** Directory for nslab.log (the transcript); none when undefined (dry-run, tests). */
  transcriptDir?: string;
  name?: string;
}

/**
 * The transcript file. A log line that cannot be written (a full disk: ENOSPC) is dropped, said
 * once on stderr, and the next line is tried again: logging must never end the daemon or break
 * an operation half-way.
 */
export class TranscriptStream {
  private failed = false;

  constructor(readonly path: string, private readonly fd = openSync(path, 'a', 0o600), private readonly warn = (l: string) => process.stderr.write(l)) {}

  write(line: string): boolean {
    try {
      const buf = Buffer.from(line);
      for (let off = 0; off < buf.length;) off += writeSync(this.fd, buf, off);
      this.failed = false;
    } catch (e) {
      if (!this.failed) this.warn(`nslab: cannot write the log ${this.path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); going on without it\n`);
      this.failed = true;
    }
    return true;
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch { /* already closed */ }
  }
}

/**
 * Colour on stderr only for a terminal, and never under NO_COLOR (any non-empty value, as
 * no-color.org asks) or TERM=dumb. Pure.
 */
export function wantsColor(env: NodeJS.ProcessEnv = process.env, tty = !!process.stderr.isTTY): boolean {
  return tty && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** A log line's level number (pino writes it first), or 0 when the line has none. */
export const levelOf = (line: string): number => Number(/^\{"level":(\d+)/.exec(line)?.[1] ?? 0);

/** Where the lines of the work in progress go, and from which level (a pino level number). */
export interface TapSink {
  level: number;
  write: (line: string) => void;
}

/**
 * Every logger's extra stream: a line logged while `run(sink, fn)` is running `fn` (followed
 * through its awaits by AsyncLocalStorage) is also given to that sink. nslabd sends a request's
 * own lines to the client that asked for them this way, and no other client sees them.
 */
export class LogTap {
  private readonly als = new AsyncLocalStorage<TapSink>();

  run<T>(sink: TapSink, fn: () => T): T {
    return this.als.run(sink, fn);
  }

  write(line: string): boolean {
    const sink = this.als.getStore();
    if (sink && levelOf(line) >= sink.level) sink.write(line);
    return true;
  }
}

export const logTap = new LogTap();

const PRETTY = { ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' } as const;

/**
 * How a log line of nslabd's is shown on the CLI's stderr, the same as the CLI's own lines
 * in-process: pretty on a terminal, the JSON line as it is otherwise.
 */
export function logPrinter(tty = !!process.stderr.isTTY): (line: string) => void {
  if (!tty) return (line) => void process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  const format = pretty.prettyFactory({ ...PRETTY, colorize: wantsColor() });
  return (line) => void process.stderr.write(format(line));
}

export function makeLogger(o: LogOptions = {}): Logger {
  const level = o.level ?? 'warn';
  const console = process.stderr.isTTY
    ? pretty({ ...PRETTY, destination: 2, sync: true, colorize: wantsColor() })
    : pino.destination({ dest: 2, sync: true });
  const streams: StreamEntry[] = [{ level: level as pino.Level, stream: console }, { level: 'trace', stream: logTap }];
  if (o.transcriptDir) {
    try {
      streams.push({ level: 'info', stream: new TranscriptStream(join(o.transcriptDir, 'nslab.log')) });
    } catch {
      /* no transcript when the directory cannot be made */
    }
  }
  const min = streams.some((s) => s.level === 'info') && !['trace', 'debug'].includes(level) ? 'info' : level;
  return pino({ name: o.name ?? 'nslab', level: min }, pino.multistream(streams));
}
