// The bench's processes and the things it makes on the machine: timed child processes, the
// throw-away "host" namespaces, scratch directories and nslabd, all removed by one cleanup
// that also runs on Ctrl-C. Every machine-wide name starts with the run's prefix.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const running = new Set<ChildProcess>();

/** Run argv to its end; resolves with its stdout and wall-clock ms (spawn to exit), rejects when it exits non-zero. */
export function run(argv: readonly string[], env: Record<string, string> = {}): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', ...env } });
    running.add(child);
    let out = '', err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    // The time ends when the process does, not when its pipes have been read.
    let ms = 0;
    child.on('exit', () => (ms = performance.now() - t0));
    child.on('error', (e) => {
      running.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      if (code === 0) resolve({ ms, stdout: out });
      else reject(new Error(`${argv.join(' ')}: exit ${code ?? signal}\n${err.trim()}`));
    });
  });
}

/**
 * Start a long-lived process (nslabd) as the leader of a process group of its own: cleanup
 * ends the group by its PID, so the kernel commands it has in flight (its launcher's `ip`)
 * end with it instead of making a namespace after the cleanup has looked.
 */
export function start(argv: readonly string[]): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, detached: true });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one run makes, under its prefix; `cleanup` removes all of it (idempotent, synchronous). */
export class Scratch {
  private dirs: string[] = [];
  constructor(readonly prefix: string) {}

  /** A scratch directory under the system tmpdir (not machine-wide by name: mkdtemp's suffix). */
  dir(): string {
    const d = mkdtempSync(join(tmpdir(), `${this.prefix}bench-`));
    this.dirs.push(d);
    return d;
  }

  /** A throw-away "host" namespace PREFIX+name with lo up; nslab and the floor run inside such. */
  async host(name: string): Promise<string> {
    const ns = `${this.prefix}${name}`;
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** Wait until the kernel has removed every veth of a host namespace (netns deletion is lazy). */
  async settle(ns: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout } = await run(['ip', '-n', ns, '-o', 'link', 'show', 'type', 'veth']);
      if (!stdout.trim()) return;
      if (Date.now() > deadline) throw new Error(`veths of ${ns} still there after ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  /** Names under /run/netns and /etc/netns that carry this run's prefix. */
  leftovers(): { netns: string[]; etc: string[] } {
    const mine = (d: string) => (existsSync(d) ? readdirSync(d).filter((n) => n.startsWith(this.prefix)) : []);
    return { netns: mine('/run/netns'), etc: mine('/etc/netns') };
  }

  /**
   * End the processes the bench started (by PID), delete every namespace and /etc/netns entry
   * with the prefix (the host namespaces take their bridges, veths and rules with them), remove
   * the scratch directories. Safe to call twice, and from a signal handler.
   */
  cleanup(): void {
    for (const c of running) {
      if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) continue;
      try {
        process.kill(-c.pid, 'SIGKILL'); // its group: nslabd and the commands it started
      } catch {
        c.kill('SIGKILL');
      }
    }
    const killed = running.size > 0;
    running.clear();
    // A command of a killed process may still be finishing: look again once after a pause.
    for (let pass = 0; pass < (killed ? 2 : 1); pass++) {
      if (pass) spawnSync('sleep', ['0.2']);
      const { netns, etc } = this.leftovers();
      for (const ns of netns) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      for (const e of etc) rmSync(join('/etc/netns', e), { recursive: true, force: true });
    }
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
