// The intent record: the containers a run is about to build, written before the kernel is touched.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from './atomic.js';
import { migrateIntent } from './migrate.js';
import { STATE_VERSION, type ContainerRecord, type EndpointRecord } from './types.js';

export interface Intent {
  /** The record shape, as state.json's (absent in files of version 1). */
  version?: number;
  /** Containers being created: the next run tears each down and drops its record. */
  containers: ContainerRecord[];
  /** Endpoints being added (network connect): the next run deletes each veth and drops it. */
  endpoints?: Array<{ container: string; endpoint: EndpointRecord }>;
}

/**
 * `intent.json` beside `state.json`. It is replaced atomically (temp file + rename) but not
 * fsynced, and that is enough: it only has to outlive the process (a kill -9 keeps the page
 * cache), because a power loss takes every kernel object it describes with it. An unreadable
 * intent can therefore only follow a power loss, and is ignored. Skipping the two fsyncs
 * saves ~1 ms on every create; state.json itself is still fsynced (file and directory).
 */
export class IntentFile {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'intent.json');
  }

  write(intent: Intent): void {
    writeAtomic(this.path, JSON.stringify({ version: STATE_VERSION, ...intent }) + '\n', 0o600, false);
  }

  /** The pending intent in today's shape (an older file migrated); a newer one is refused (NewerStateError). */
  read(): Intent {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      return { containers: [] };
    }
    return migrateIntent(raw, this.path);
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}
