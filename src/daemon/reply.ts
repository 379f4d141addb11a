// A change's answer streamed to the client that asked (?progress=1&log=LEVEL): NDJSON lines of
// progress and of the request's own log, then the result or the error (wire: src/client/remote.ts).
import type { ServerResponse } from 'node:http';
import pino from 'pino';
import { clip, ValidationError } from '../errors.js';
import type { TapSink } from '../log.js';

/** What the client asked to watch while its change runs: nothing, by default. */
export interface Watch {
  progress: boolean;
  /** The lowest pino level number of the log lines it wants; undefined: none. */
  level?: number;
  /** The same level's name (a child logger's level). */
  levelName?: string;
}

/** The watch a request's query asks for; a level pino does not know is refused (exit 2). Pure. */
export function watchOf(q: URLSearchParams): Watch {
  const name = q.get('log') ?? undefined;
  if (name !== undefined && name !== 'silent' && !Object.hasOwn(pino.levels.values, name)) {
    throw new ValidationError('log', `"${clip(name, 20)}" is not a log level (one of ${Object.keys(pino.levels.values).join(', ')}, silent)`);
  }
  const level = name === undefined || name === 'silent' ? undefined : pino.levels.values[name];
  return { progress: q.get('progress') === '1', level, levelName: level === undefined ? undefined : name };
}

/**
 * The streamed answer. Nothing is sent until the first line: a change that logs nothing and
 * reports no progress (or is refused before it starts) is answered as every other request is,
 * with its own status; once lines have gone, the status is 200 and the last line says how it
 * ended. A client that went away is written nothing more.
 */
export class ReplyStream {
  private open = false;

  constructor(private readonly res: ServerResponse, readonly watch: Watch) {}

  /** Has the answer begun (status and headers sent)? */
  get started(): boolean {
    return this.open;
  }

  private line(text: string): void {
    if (this.res.destroyed || this.res.writableEnded) return;
    if (!this.open) {
      this.res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      this.open = true;
    }
    this.res.write(text);
  }

  /** The engine's onProgress when progress was asked for. */
  readonly progress = (done: number, total: number): void => this.line(`{"progress":[${done},${total}]}\n`);

  /** The log tap's sink when log lines were asked for: each line as pino wrote it, wrapped. */
  sink(): TapSink | undefined {
    const level = this.watch.level;
    return level === undefined ? undefined : { level, write: (l) => this.line(`{"log":${l.trimEnd()}}\n`) };
  }

  /** The last line (`{result}` or `{error}`, with notices) of an answer that has begun. */
  end(body: unknown): void {
    this.line(JSON.stringify(body) + '\n');
    if (!this.res.writableEnded) this.res.end();
  }
}
