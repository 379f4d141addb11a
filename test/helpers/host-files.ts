// Redirects the host paths the engine reads directly (/run/netns, /etc/netns, /proc/sys, resolv.conf) into a temp dir.
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

/** The host paths a unit test must never read (or let the engine write) for real. */
export const REDIRECTED = ['/run/netns', '/etc/netns', '/proc/sys', '/etc/resolv.conf', '/run/systemd/resolve/resolv.conf'];

let root: string | undefined;
let installed = false;
/** What /proc/self/net/dev shows the engine (the fake host's links), when a fake host set it. */
let procNetDev: (() => string) | undefined;

/** Make reads of /proc/self/net/dev return `text()` (the fake host's links, as the kernel lists them). */
export function fakeProcNetDev(text: () => string): void {
  procNetDev = text;
}

const NET_DEV = '/proc/self/net/dev';

/** `p` inside the fake root when it is one of the redirected host paths; else `p`. */
export function hostPath(p: string): string {
  if (root === undefined) return p;
  return REDIRECTED.some((d) => p === d || p.startsWith(d + '/')) ? root + p : p;
}

const redirect = (p: unknown) => (typeof p === 'string' ? hostPath(p) : p);

type Fn = (...args: unknown[]) => unknown;

/**
 * From now on (in this test process), the redirected paths are read from `dir` instead: the
 * engine's listNetns, /etc/netns marks and sysctl reads see the fake host, never the machine.
 * Node's builtin ESM exports are re-synced, so `import { readdirSync } from 'node:fs'` in
 * src/ sees the wrapped function too. Only reads are wrapped: the engine writes through its
 * runner (the fake one), and the fake host writes with hostPath() itself.
 */
export function redirectHostFiles(dir: string): void {
  root = dir;
  if (installed) return;
  installed = true;
  const sync = fs as unknown as Record<string, Fn>;
  for (const name of ['readdirSync', 'opendirSync', 'existsSync', 'lstatSync', 'statSync', 'openSync', 'readFileSync', 'accessSync', 'realpathSync']) {
    const orig = sync[name]!;
    sync[name] = (p: unknown, ...rest: unknown[]) => (name === 'readFileSync' && p === NET_DEV && procNetDev ? procNetDev() : orig(redirect(p), ...rest));
  }
  const prom = fsp as unknown as Record<string, Fn>;
  for (const name of ['readFile', 'readdir', 'opendir', 'lstat', 'stat', 'access', 'open', 'realpath']) {
    const orig = prom[name]!;
    prom[name] = (p: unknown, ...rest: unknown[]) => orig(redirect(p), ...rest);
  }
  syncBuiltinESMExports();
}

let scratch: string | undefined;

/** One temp directory per test process for fake roots and state dirs, removed when the process exits. */
export function scratchDir(): string {
  if (scratch) return scratch;
  const dir = mkdtempSync(join(tmpdir(), 'nslab-uvt-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (scratch = dir);
}
