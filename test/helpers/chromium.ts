// A real headless Chromium inside a sandbox's namespace, driven over the DevTools protocol through
// --remote-debugging-pipe (fds 3 and 4): no port to reach across namespaces, no WebSocket package.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';

const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-extensions', '--disable-background-networking', '--disable-sync', '--mute-audio'];

/** The page's DOM after it loaded (chromium --dump-dom), run inside namespace `netns`. */
export async function dumpDom(netns: string, url: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'nslab-chromium-'));
  try {
    const r = await execa('nsenter', [`--net=/run/netns/${netns}`, 'chromium', ...FLAGS, `--user-data-dir=${profile}`, '--virtual-time-budget=8000', '--dump-dom', url],
      { reject: false, timeout: 90_000, env: { LC_ALL: 'C', HOME: profile } });
    return String(r.stdout);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export class Browser {
  private buf = Buffer.alloc(0);
  private next = 0;
  private readonly waiting = new Map<number, (m: { result?: any; error?: { message: string } }) => void>();
  private session: string | undefined;

  private constructor(private readonly child: ChildProcess, private readonly profile: string) {
    (child.stdio[4] as Readable).on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (let i = this.buf.indexOf(0); i >= 0; i = this.buf.indexOf(0)) {
        const m = JSON.parse(this.buf.subarray(0, i).toString('utf8')) as { id?: number };
        this.buf = this.buf.subarray(i + 1);
        if (m.id !== undefined) this.waiting.get(m.id)?.(m);
        if (m.id !== undefined) this.waiting.delete(m.id);
      }
    });
  }

  /** Start Chromium in namespace `netns` and open `url` in a tab of its own. */
  static async open(netns: string, url: string): Promise<Browser> {
    const profile = mkdtempSync(join(tmpdir(), 'nslab-chromium-'));
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, 'chromium', ...FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', HOME: profile } });
    const b = new Browser(child, profile);
    const target = await b.send('Target.createTarget', { url });
    b.session = (await b.send('Target.attachToTarget', { targetId: target.targetId, flatten: true })).sessionId;
    return b;
  }

  /** One DevTools command (in the tab's session once attached); rejects with its error. */
  send(method: string, params: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<any> {
    const id = ++this.next;
    return new Promise((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`${method}: no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, (m) => (clearTimeout(timer), m.error ? rej(new Error(`${method}: ${m.error.message}`)) : res(m.result)));
      (this.child.stdio[3] as Writable).write(JSON.stringify({ id, method, params, ...(this.session ? { sessionId: this.session } : {}) }) + '\0');
    });
  }

  /** The value of `expression` in the page (JSON-serialisable), or undefined while it throws. */
  async eval<T>(expression: string): Promise<T | undefined> {
    const r = await this.send('Runtime.evaluate', { expression, returnByValue: true });
    return r.exceptionDetails ? undefined : (r.result?.value as T);
  }

  /** Poll `expression` until `ok` holds for its value (every 200 ms); the last value either way. */
  async until<T>(expression: string, ok: (v: T | undefined) => boolean, timeoutMs = 30_000): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    let v = await this.eval<T>(expression);
    while (!ok(v) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      v = await this.eval<T>(expression);
    }
    return v;
  }

  /** Close the browser (Browser.close, then SIGKILL by PID if it lingers) and remove its profile. */
  async close(): Promise<void> {
    const gone = new Promise((r) => (this.child.exitCode !== null || this.child.signalCode !== null ? r(undefined) : this.child.once('exit', r)));
    this.session = undefined;
    await this.send('Browser.close', {}, 5000).catch(() => undefined);
    const timer = setTimeout(() => this.child.pid && this.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
