// The state directory: state.json written atomically, guarded by an exclusive lock.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NslabError } from '../errors.js';
import { stageAtomic, writeAtomic, type Staged } from './atomic.js';
import { packState, unpackState } from './port-runs.js';
import { IntentFile, type Intent } from './intent.js';
import { labIdOf } from './lab-id.js';
import { StateLock } from './lock.js';
import { migrateState, NewerStateError } from './migrate.js';
import { emptyState, stateFromJson, type State } from './types.js';

export class CorruptStateError extends NslabError {
  constructor(path: string, cause: string) {
    super('corrupt-state', `the state file ${path} is unreadable (${cause}); nslab refuses to change anything until it is repaired: \`nslab rebuild-state\` rebuilds it from the kernel objects that carry nslab's mark (or \`nslab reset\` removes them all)`);
    this.name = 'CorruptStateError';
  }
}

/** Checks applied to what is read back (records are validated like user input before use). */
export interface Vet {
  state(s: State): State;
  intent(i: Intent): Intent;
}

export class Store {
  readonly intent: IntentFile;

  /**
   * `labId`: the lab id to record on each save (the engine passes the one it already read, so
   * a save does not read the `lab-id` file again); by default it is read (or made) here.
   */
  constructor(
    readonly dir: string,
    private readonly vet: Vet = { state: (s) => s, intent: (i) => i },
    private readonly labId: () => string = () => labIdOf(dir, true),
  ) {
    this.intent = new IntentFile(dir);
  }

  /** The pending intent, its invalid entries skipped. */
  readIntent(): Intent {
    return this.vet.intent(this.intent.read());
  }

  get file(): string {
    return join(this.dir, 'state.json');
  }

  /**
   * The recorded state in today's shape: a file of an older version is migrated in memory
   * (and written as today's version by the next save); one of a newer version is refused
   * (NewerStateError, exit 1). An absent file is an empty state.
   */
  async load(): Promise<State> {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw e;
    }
    try {
      const s = unpackState(migrateState(JSON.parse(text), this.file));
      return this.vet.state(stateFromJson(s)); // never throws: an invalid record is reported and dropped
    } catch (e) {
      if (e instanceof NewerStateError) throw e;
      throw new CorruptStateError(this.file, (e as Error).message);
    }
  }

  /** Write state.json, recording the lab id too: a lost `lab-id` file is restored from it. */
  async save(state: State): Promise<void> {
    const text = this.text(state);
    writeAtomic(this.file, text);
    this.saved = { state, text };
  }

  /** The state this process last saved, with the text it wrote. */
  private saved?: { state: State; text: string };

  /**
   * For reading only: the state this process last saved while state.json still holds the very
   * text it wrote (compared whole: no parse, no record checks), else load(). A CLI command
   * prints its result without parsing and checking the records again. The object is shared:
   * never change it.
   */
  async loadRecent(): Promise<State> {
    const s = this.saved;
    if (s) {
      let now: string | undefined;
      try {
        now = readFileSync(this.file, 'utf8');
      } catch { /* gone: load() says what there is */ }
      if (now === s.text) return s.state;
    }
    return this.load();
  }

  /** Forget the last saved state (a change failed after saving: its object may differ from the file). */
  forget(): void {
    this.saved = undefined;
  }

  private text(state: State): string {
    return JSON.stringify({ ...packState(state), labId: this.labId() }, null, 1) + '\n';
  }

  /** Write `state` beside state.json (whole, fsynced) and return the rename still to do: a removal stages its record first and commits once the kernel objects are gone. */
  stage(state: State): Staged {
    return stageAtomic(this.file, this.text(state));
  }

  /** Run `fn` holding the directory's lock (created with mode 0700 if missing). */
  async withLock<T>(fn: () => Promise<T>, onWait?: () => void): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    // NSLAB_LOCK_WAIT (seconds, default 60): how long to wait for another nslab or nslabd.
    const wait = Number(process.env.NSLAB_LOCK_WAIT ?? 60) * 1000;
    const lock = await StateLock.acquire(join(this.dir, 'lock'), wait, onWait);
    try {
      return await fn();
    } finally {
      lock.release();
    }
  }
}
