// nslabd's socket: owned by root, mode 0660, group nslab when that group exists; no other way in.
import { chownSync, chmodSync, lstatSync, mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { answers } from '../client/probe.js';
import { ValidationError } from '../errors.js';
import type { Server } from 'node:net';
import { dirname } from 'node:path';

/** The gid of group `nslab` from /etc/group, or undefined when there is no such group. */
export function nslabGid(groupFile = '/etc/group'): number | undefined {
  try {
    const line = readFileSync(groupFile, 'utf8').split('\n').find((l) => l.startsWith('nslab:'));
    return line ? Number(line.split(':')[2]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuse a socket path that holds something else (a file, a directory, a symlink): nslabd
 * replaces only a stale socket, never a file it did not make. Absent is fine.
 */
export function refuseNonSocket(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new ValidationError('socket', `${path} exists and is not a socket; nslabd leaves it alone (remove it or choose another --socket)`);
}

/**
 * Listen on `path`: refuse if another daemon answers there, remove a stale socket file, and
 * create the socket with mode 0660 from the start (umask), owned by root and group nslab.
 */
export async function listenUnix(server: Server, path: string): Promise<{ mode: string; group: string }> {
  if (await answers(path)) throw new Error(`another nslabd answers on ${path}`);
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  refuseNonSocket(path);
  try {
    unlinkSync(path); // a stale socket: nothing answers on it
  } catch { /* absent */ }
  const old = process.umask(0o117);
  try {
    await new Promise<void>((res, rej) => server.once('error', rej).listen(path, () => res()));
  } finally {
    process.umask(old);
  }
  chmodSync(path, 0o660);
  const gid = nslabGid();
  chownSync(path, 0, gid ?? 0);
  return { mode: '0660', group: gid === undefined ? 'root (no group nslab)' : 'nslab' };
}
