// The state directory's lock: an open-file-description lock (fcntl F_OFD_SETLK) on state/lock.
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';

type TryLock = (fd: number) => boolean;

/**
 * fs-native-extensions' tryLock. Its own loader (require-addon, bare-module-resolve, semver
 * ranges) cost 10-20 ms of every changing command's start; its prebuilt binding for this
 * platform is loaded directly when it is there (its tryLock(fd, 0, 0, true) throws EAGAIN when
 * the lock is held), and through the package otherwise.
 */
async function loadTryLock(): Promise<TryLock> {
  try {
    const load = createRequire(import.meta.resolve('fs-native-extensions'));
    const binding = load(`./prebuilds/${process.platform}-${process.arch}/fs-native-extensions.node`) as { tryLock: (fd: number, offset: number, length: number, exclusive: boolean) => void };
    return (fd) => {
      try {
        binding.tryLock(fd, 0, 0, true);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        throw e;
      }
    };
  } catch {
    return (await import('fs-native-extensions')).tryLock;
  }
}

// Loaded once per process, on the first lock.
let loaded: Promise<TryLock> | undefined;
const tryLockFn = () => (loaded ??= loadTryLock());

/**
 * An exclusive lock on `path`. OFD locks belong to the open file description, so the kernel
 * drops the lock when we close the descriptor or die (even by kill -9): a crashed holder never
 * leaves a stale lock behind. Taken in-process (fs-native-extensions), which costs ~0.05 ms
 * where starting util-linux `flock` cost 2.5-3.5 ms on every call.
 */
export class StateLock {
  private constructor(private fd: number | undefined) {}

  static async acquire(path: string, timeoutMs = 60_000, onWait?: () => void): Promise<StateLock> {
    // Loaded here, not at start-up: read commands never need it.
    const tryLock = await tryLockFn();
    const fd = openSync(path, 'a', 0o600);
    const deadline = Date.now() + timeoutMs;
    let waited = false;
    for (;;) {
      let got: boolean;
      try {
        got = tryLock(fd);
      } catch (e) {
        closeSync(fd);
        throw e;
      }
      if (got) return new StateLock(fd);
      if (Date.now() >= deadline) {
        closeSync(fd);
        throw new Error(`could not lock ${path} within ${Math.round(timeoutMs / 1000)}s: another nslab is working`);
      }
      if (!waited) onWait?.();
      waited = true;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  release(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
