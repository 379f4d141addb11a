// The lab id: which state directory a kernel object belongs to; every mark nslab writes carries it.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LAB_ID = /^[0-9a-f]{8}$/;

export const isLabId = (s: unknown): s is string => typeof s === 'string' && LAB_ID.test(s);

function fileId(path: string): string | undefined {
  try {
    const s = readFileSync(path, 'utf8').trim();
    return isLabId(s) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The copy in state.json (which may be unreadable: then there is none). */
function recordedId(dir: string): string | undefined {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { labId?: unknown };
    return isLabId(s?.labId) ? s.labId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lab id of state directory `dir`: the `lab-id` file beside state.json; else the copy
 * state.json records (written back to `lab-id`); else a new random one. A new file is
 * linked into place, never renamed over, so two processes starting together agree on the
 * first one written. With `persist` false (dry-run), or when the directory cannot be
 * written, nothing is written and the id only lives in this process. Idempotent.
 */
export function labIdOf(dir: string, persist: boolean): string {
  const file = join(dir, 'lab-id');
  const have = fileId(file);
  if (have) return have;
  const id = recordedId(dir) ?? process.getBuiltinModule('node:crypto').randomBytes(4).toString('hex') // loaded only for a new lab;
  if (!persist) return id;
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, id + '\n', { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another process won the race (keep its id), or the file is garbage (replace it).
      if (!fileId(file)) renameSync(tmp, file);
    }
  } catch {
    return id;
  } finally {
    rmSync(tmp, { force: true });
  }
  return fileId(file) ?? id;
}

let source: (() => string) | undefined;

/**
 * Set whose marks this process writes and claims. One process serves one state directory
 * (the CLI, or nslabd), and every mark — link aliases, rule comments, the /etc/netns marker —
 * must name the same lab wherever it is built, so it is set once, by the engine.
 */
export function useLab(get: () => string): void {
  source = get;
}

/** The lab id set by useLab (the engine's state directory). */
export function currentLab(): string {
  if (!source) throw new Error('no lab id: the engine sets it (useLab) before any mark is built');
  return source();
}
