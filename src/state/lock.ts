// The state directory's lock: flock(2) taken by util-linux `flock` on a descriptor we keep open.
import { open, type FileHandle } from 'node:fs/promises';
import { spawn } from 'node:child_process';

/**
 * An exclusive lock on `path`. flock(2) locks belong to the open file description, which the
 * child `flock` shares with us through the inherited descriptor; when it exits the lock stays
 * with our handle. The kernel drops it when we close the handle or die (even by kill -9),
 * so a crashed holder never leaves a stale lock behind.
 */
export class StateLock {
  private constructor(private handle: FileHandle | undefined) {}

  static async acquire(path: string, timeoutSec = 60): Promise<StateLock> {
    const handle = await open(path, 'a', 0o600);
    // execa cannot pass an extra descriptor, so this one child is started with node's spawn.
    const child = spawn('flock', ['--exclusive', '--wait', String(timeoutSec), '3'], { stdio: ['ignore', 'ignore', 'pipe', handle.fd] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number>((res) => child.on('close', (c) => res(c ?? 1)).on('error', () => res(127)));
    if (code !== 0) {
      await handle.close();
      throw new Error(`could not lock ${path} within ${timeoutSec}s (another nslab is working): ${stderr.trim() || `exit ${code}`}`);
    }
    return new StateLock(handle);
  }

  async release(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}
