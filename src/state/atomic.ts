// Atomic file replacement: temp file, every byte written, fsync, rename, then fsync the directory.
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { NslabError } from '../errors.js';

/** A new version of a file, complete (and fsynced) beside it, not yet in its place. */
export interface Staged {
  /** Rename it over the file and make the rename durable. */
  commit(): void;
  /** Drop it; the file stays as it was. */
  discard(): void;
}

/** A file nslab could not write (a full disk, say); the previous version is intact (exit 1). */
export class WriteError extends NslabError {
  constructor(readonly path: string, override readonly cause: Error) {
    super('failed', `could not write ${path} (${cause.message}); it still holds what it held before`, { cause });
    this.name = 'WriteError';
  }
}

/** The temporary name beside `path` (one per file: every writer of nslab's files holds the state lock). */
export const tmpOf = (path: string) => join(dirname(path), `.${basename(path)}.tmp`);

/**
 * Write `data` to a temporary file beside `path` and return the rename still to do. Throws,
 * leaving `path` untouched and no temporary file behind, when not every byte fits: on a full
 * file system write(2) first writes what fits and returns the shorter count, and only the next
 * call fails with ENOSPC. (write-file-atomic ignored that count and renamed a truncated file
 * over state.json.)
 */
export function stageAtomic(path: string, data: string, o: { mode?: number; fsync?: boolean } = {}): Staged {
  const tmp = tmpOf(path);
  const buf = Buffer.from(data, 'utf8');
  const fsync = o.fsync ?? true;
  try {
    // O_NOFOLLOW: a link planted at the temporary name is refused, never written through.
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, o.mode ?? 0o600);
    try {
      for (let off = 0; off < buf.length; ) {
        const n = writeSync(fd, buf, off, buf.length - off);
        if (n <= 0) throw Object.assign(new Error(`ENOSPC: no space left on device, write ${tmp}`), { code: 'ENOSPC' });
        off += n;
      }
      if (fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new WriteError(path, e as Error);
  }
  let done = false;
  return {
    commit() {
      if (done) return;
      done = true;
      try {
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new WriteError(path, e as Error);
      }
      // The rename is durable only once the directory entry is on disk.
      if (fsync) fsyncDir(dirname(path));
    },
    discard() {
      if (done) return;
      done = true;
      rmSync(tmp, { force: true });
    },
  };
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replace `path` with `data` so that a crash leaves either the old or the new file, whole, and
 * a failed write (a full disk) leaves the old one byte for byte. Synchronous on purpose: the
 * state file is small and written under the lock, and the sync calls take ~0.8 ms where the
 * thread-pool round trips of the async ones took ~2.8 ms.
 */
export function writeAtomic(path: string, data: string, mode = 0o600, fsync = true): void {
  stageAtomic(path, data, { mode, fsync }).commit();
}
