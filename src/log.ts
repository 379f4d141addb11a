// pino loggers: JSON lines, pretty on a terminal, plus a transcript file of every kernel command.
import { AsyncLocalStorage } from 'node:async_hooks';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Level, Logger, StreamEntry } from 'pino';

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
 * in-process: pretty on a terminal (pino-pretty, loaded then), the JSON line as it is otherwise.
 */
export async function logPrinter(tty = !!process.stderr.isTTY): Promise<(line: string) => void> {
  if (!tty) return (line) => void process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  const { default: pretty } = await import('pino-pretty');
  const format = pretty.prettyFactory({ ...PRETTY, colorize: wantsColor() });
  return (line) => void process.stderr.write(format(line));
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/**
 * A logger for commands that only read the records (ls, inspect, plan): plain `nslab: LEVEL:
 * msg` lines on stderr at `level`, no transcript. They run no kernel command, so all they may
 * say is a warning about the records; pino and its streams (a fifth of a short command's
 * start-up) are not worth loading for that.
 */
export function plainLogger(level = 'warn'): Logger {
  const min = LEVELS.indexOf(level as (typeof LEVELS)[number]);
  const say = (at: number, name: string) => (a: unknown, b?: unknown) => {
    if (min < 0 || at < min) return;
    const msg = typeof a === 'string' ? a : typeof b === 'string' ? b : '';
    const fields = typeof a === 'object' && a !== null ? ` ${JSON.stringify(a)}` : '';
    process.stderr.write(`nslab: ${name}: ${msg}${fields}\n`);
  };
  const log: Record<string, unknown> = { level, child: () => log };
  LEVELS.forEach((name, at) => (log[name] = say(at, name)));
  return log as unknown as Logger;
}

/**
 * The logger: stderr at `level` (pretty on a terminal), plus the transcript at info. pino-pretty
 * is loaded only for a terminal: it is a tenth of the CLI's code.
 */
export async function makeLogger(o: LogOptions = {}): Promise<Logger> {
  const level = o.level ?? 'warn';
  const { default: pino } = await import('pino');
  const pretty = process.stderr.isTTY ? (await import('pino-pretty')).default : undefined;
  const console = pretty
    ? pretty({ ...PRETTY, destination: 2, sync: true, colorize: wantsColor() })
    : pino.destination({ dest: 2, sync: true });
  const streams: StreamEntry[] = [{ level: level as Level, stream: console }, { level: 'trace', stream: logTap }];
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
