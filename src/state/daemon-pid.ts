// nslabd's pid file in the state directory: which process serves (or is about to serve) it and
// on which socket, so a CLI that finds the socket silent waits for that daemon, not for the lock.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DaemonPid {
  pid: number;
  /** The process's start time (clock ticks after boot): with the pid, it names one process for good. */
  start: string;
  socket: string;
}

export const daemonPidPath = (stateDir: string) => join(stateDir, 'nslabd.pid');

/**
 * The start time of a live process (field 22 of /proc/PID/stat), or undefined when there is no
 * such process or it is a zombie. A reused pid has another start time. Reads only.
 */
export function startOf(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count from its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
}

/**
 * The nslabd recorded in `stateDir` when that very process is alive (stopped counts as alive);
 * undefined when there is no record, it is unreadable, or its process is gone: a dead daemon's
 * leftover blocks nobody. Reads only.
 */
export function liveDaemon(stateDir: string): DaemonPid | undefined {
  let rec: Partial<DaemonPid>;
  try {
    rec = JSON.parse(readFileSync(daemonPidPath(stateDir), 'utf8')) as Partial<DaemonPid>;
  } catch {
    return undefined;
  }
  const { pid, start, socket } = rec;
  if (!Number.isInteger(pid) || pid! <= 0 || typeof start !== 'string' || typeof socket !== 'string') return undefined;
  return startOf(pid!) === start ? { pid: pid!, start, socket } : undefined;
}

/**
 * Record this process as `stateDir`'s nslabd on `socket`, replacing the file whole (a reader
 * never sees half of it). Idempotent; the caller has made sure no other live nslabd is recorded.
 */
export function recordDaemon(stateDir: string, socket: string): void {
  const path = daemonPidPath(stateDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ pid: process.pid, start: startOf(process.pid), socket } satisfies Partial<DaemonPid>) + '\n', { mode: 0o644 });
  renameSync(tmp, path);
}

/** Remove the record if it names this process (never another daemon's). Idempotent. */
export function forgetDaemon(stateDir: string): void {
  try {
    const rec = JSON.parse(readFileSync(daemonPidPath(stateDir), 'utf8')) as Partial<DaemonPid>;
    if (rec.pid === process.pid) rmSync(daemonPidPath(stateDir), { force: true });
  } catch { /* absent or unreadable: nothing of ours */ }
}
