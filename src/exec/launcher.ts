// One small bash process that starts nslab's kernel commands for it, so node never forks itself.
//
// Why: node's spawn() forks the whole node process (libuv fork + exec). The fork copies the
// page tables of node's address space and runs on the main thread, so every spawn blocks the
// event loop for 10-35 ms on the test VMs, growing with the heap (nslabd with many records):
// 100 namespace batches "in parallel" were in fact started one after another. bash is a few
// MB: its fork is a fraction of that, and it runs beside node on another core.
//
// Protocol (no shell text is ever built from nslab's data): for job N, node writes N.argv (the
// argv, NUL-separated) and N.in (standard input) into a private directory (mkdtemp, 0700), and
// sends "N\n". bash reads the argv as an array (mapfile -d ''), runs it with N.in on stdin and
// N.out / N.err as stdout / stderr, in the background, and answers "N EXIT" when it ends. The
// commands and their exit codes are exactly those node would have run itself. When node closes
// its end (it is done, or died), bash waits for what runs and removes the directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `
d=$1
while IFS= read -r id; do
  mapfile -d '' -t argv < "$d/$id.argv"
  { "\${argv[@]}" < "$d/$id.in" > "$d/$id.out" 2> "$d/$id.err"; echo "$id $?"; } &
done
wait
rm -rf -- "$d"
`;

/** One bash, its job directory, and the jobs it has not answered yet. */
interface Launch {
  readonly child: ChildProcess;
  readonly dir: string;
  readonly jobs: Set<string>;
}

export interface Launched {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The launcher of one runner. `run` resolves with the exit code and output of the argv, or
 * rejects when the launcher cannot take the job (its files cannot be written: a full disk;
 * bash is gone), so that the caller runs it itself: a job is either sent whole or not at all.
 */
export class Launcher {
  /** The bash taking jobs now; one that has exited is replaced on the next job. */
  private current: Launch | undefined;
  private seq = 0;
  private readonly pending = new Map<string, (exitCode: number) => void>();
  private broken = false;

  /** Start bash on first use (not for commands that never run anything). */
  private start(): Launch {
    if (this.current) return this.current;
    const dir = mkdtempSync(join(tmpdir(), 'nslab-run-'));
    const child = spawn('bash', ['-c', SCRIPT, 'nslab-launcher', dir], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    const launch: Launch = { child, dir, jobs: new Set() };
    // Answers are short lines ("N EXIT"); node:readline is not worth loading for them.
    let rest = '';
    let answered = false;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      answered = true;
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const [id, code] = line.split(' ');
        launch.jobs.delete(id!);
        const done = this.pending.get(id!);
        this.pending.delete(id!);
        this.idle(child);
        done?.(Number(code));
      }
    });
    // bash has exited: the next job starts another, unless this one never answered (no bash
    // here): then the caller runs its jobs itself. Jobs still running (their shells outlive
    // bash and hold the pipe) answer until the pipe closes; what has not answered by then failed.
    child.on('exit', () => {
      if (this.current === launch) this.current = undefined;
      if (!answered) this.broken = true;
    });
    const gone = () => {
      if (this.current === launch) this.current = undefined;
      if (!answered) this.broken = true;
      for (const id of launch.jobs) {
        const done = this.pending.get(id);
        this.pending.delete(id);
        done?.(-1);
      }
      launch.jobs.clear();
      rmSync(dir, { recursive: true, force: true });
    };
    child.on('error', gone);
    child.on('close', gone);
    child.stdin!.on('error', () => undefined);
    this.current = launch;
    return launch;
  }

  /** Run `argv` with `input` on stdin; exit code -1 means bash died with the job in its hands. */
  run(argv: readonly string[], input: string | undefined): Promise<Launched> {
    if (this.broken) return Promise.reject(new Error('launcher gone'));
    // NUL separates the words in the job file: a word holding one is not the launcher's to split.
    if (argv.some((a) => a.includes('\0'))) return Promise.reject(new Error('a word holds a NUL byte'));
    let started: Launch;
    const id = String(++this.seq);
    try {
      started = this.start();
      writeFileSync(join(started.dir, `${id}.argv`), argv.map((a) => `${a}\0`).join(''), { mode: 0o600 });
      writeFileSync(join(started.dir, `${id}.in`), input ?? '', { mode: 0o600 });
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const { child, dir } = started;
    return new Promise<Launched>((resolve) => {
      started.jobs.add(id);
      this.pending.set(id, (exitCode) => {
        const drop = (ext: string) => {
          try {
            unlinkSync(join(dir, `${id}.${ext}`));
          } catch { /* never written */ }
        };
        const read = (ext: string) => {
          try {
            return readFileSync(join(dir, `${id}.${ext}`), 'utf8');
          } catch {
            return '';
          } finally {
            drop(ext);
          }
        };
        const stdout = read('out');
        const stderr = read('err');
        drop('argv');
        drop('in');
        resolve(exitCode < 0 ? { exitCode: 127, stdout, stderr: stderr || `nslab's launcher (bash) ended before \`${argv.join(' ')}\` finished` } : { exitCode, stdout, stderr });
      });
      this.busy(child);
      child.stdin!.write(`${id}\n`);
    });
  }

  // A launcher keeps node's event loop alive only while it has work: an idle one never
  // delays the exit of a command that is done.
  private busy(child: ChildProcess): void {
    child.ref();
    (child.stdout as unknown as { ref?: () => void } | null)?.ref?.();
  }

  private idle(child: ChildProcess): void {
    if (this.pending.size) return;
    child.unref();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }

  /** End bash: it finishes what it runs, then removes the job directory itself. Idempotent. */
  close(): void {
    this.current?.child.stdin?.end();
    this.current = undefined;
  }
}
