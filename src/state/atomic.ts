// Atomic file replacement: temp file, fsync, rename (write-file-atomic), then fsync the directory.
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** Replace `path` with `data` so that a crash leaves either the old or the new file, whole. */
export async function writeAtomic(path: string, data: string, mode = 0o600): Promise<void> {
  await writeFileAtomic(path, data, { mode, fsync: true });
  // The rename is durable only once the directory entry is on disk.
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
