// pino loggers: JSON lines, pretty on a terminal, plus a transcript file of every kernel command.
import { join } from 'node:path';
import pino, { type Logger, type StreamEntry } from 'pino';
import pretty from 'pino-pretty';

export interface LogOptions {
  level?: string;
  /** Directory for nslab.log (the transcript); none when undefined (dry-run, tests). */
  transcriptDir?: string;
  name?: string;
}

export function makeLogger(o: LogOptions = {}): Logger {
  const level = o.level ?? 'warn';
  const console = process.stderr.isTTY
    ? pretty({ destination: 2, sync: true, colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' })
    : pino.destination({ dest: 2, sync: true });
  const streams: StreamEntry[] = [{ level: level as pino.Level, stream: console }];
  if (o.transcriptDir) {
    try {
      streams.push({ level: 'info', stream: pino.destination({ dest: join(o.transcriptDir, 'nslab.log'), sync: true }) });
    } catch {
      /* no transcript when the directory cannot be made */
    }
  }
  const min = streams.some((s) => s.level === 'info') && !['trace', 'debug'].includes(level) ? 'info' : level;
  return pino({ name: o.name ?? 'nslab', level: min }, pino.multistream(streams));
}
