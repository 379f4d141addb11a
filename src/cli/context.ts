// Global CLI options, the engine they configure, and the output helpers every command uses.
import { accessSync, constants, existsSync } from 'node:fs';
import type { EngineApi } from '../engine/api.js';
import type { RemoteEngine } from '../client/remote.js';
import { answers } from '../client/probe.js';
import { waitForDaemon, waitingLine } from '../client/wait.js';
import { liveDaemon } from '../state/daemon-pid.js';
import { withCheckedArgs } from '../model/checked.js';
import { checkFirewallBackend, type NetworkInput } from '../engine/inputs.js';
import type { FirewallBackendName } from '../state/types.js';
import { ValidationError } from '../errors.js';
import { withAliasNotice } from './dns-notice.js';

export interface GlobalOptions {
  json?: boolean;
  dryRun?: boolean;
  stateDir: string;
  socket: string;
  logLevel?: string;
  firewallBackend?: string;
}

export interface Cli {
  opts: GlobalOptions;
  engine: EngineApi;
  /** The daemon's client when nslabd answered on the socket. */
  remote?: RemoteEngine;
  out: (text: string) => void;
}

const notice = (l: string) => process.stderr.write(`nslab: note: ${l}\n`);

/** A long change's progress on a terminal: one line, rewritten in place (in-process and through nslabd alike). */
const showProgress = (done: number, total: number) => process.stderr.write(`\r  applying ${done}/${total}${done === total ? '\n' : ''}`);

/** Can this process read the state directory (absent is fine: nothing is recorded yet)? */
function canRead(dir: string): boolean {
  try {
    accessSync(dir, constants.R_OK | constants.X_OK);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Why a user who is not root cannot run this in-process, in one line (the field: `permission`). */
const notRoot = (what: string) => new ValidationError('permission', `${what} needs root: run it with sudo, or join the nslab group (sudo usermod -aG nslab $USER, then log in again) and let nslabd do it (sudo systemctl start nslabd)`);

/**
 * nslabd when its socket answers; otherwise the same engine in-process under the state lock.
 * A dry-run always plans in-process: it changes nothing, so it needs no daemon. In-process, a
 * user who is not root is refused (exit 2) before anything runs when the command changes the
 * host (`needs.root`) or the state directory is closed to them; through nslabd anyone the
 * socket lets in may ask.
 */
export async function makeCli(opts: GlobalOptions, needs: { root: boolean } = { root: true }): Promise<Cli> {
  const backend = opts.firewallBackend === undefined ? undefined : checkFirewallBackend('firewall-backend', opts.firewallBackend);
  // nslabd when it answers; while a live nslabd holds the state directory but does not answer
  // yet, wait for it (its lock would only make an in-process call wait, then fail).
  const say = (l: string) => process.stderr.write(`nslab: ${l}\n`);
  const socket = opts.dryRun ? undefined : (await answers(opts.socket)) ? opts.socket : (await waitForDaemon(opts.stateDir, say))?.socket;
  // Found by the state directory: the only way in while that nslabd holds it.
  if (socket && socket !== opts.socket) notice(`nslabd serves ${opts.stateDir} on ${socket}, not on ${opts.socket}: going through it`);
  if (socket) {
    // What in-process shows on stderr, nslabd streams back: progress on a terminal, and this
    // request's log lines (the kernel commands from info down) at --log-level.
    const tty = !!process.stderr.isTTY;
    const [{ RemoteEngine }, { logPrinter }] = await Promise.all([import('../client/remote.js'), import('../log.js')]);
    // The printer (pino-pretty on a terminal) is loaded only when a first line comes; lines keep their order.
    let print: Promise<(line: string) => void> | undefined;
    const silent = () => say(waitingLine({ pid: liveDaemon(opts.stateDir)?.pid, socket }));
    const remote = new RemoteEngine(socket, notice, { progress: tty ? showProgress : undefined, logLevel: opts.logLevel ?? 'warn', log: (l) => void (print ??= logPrinter(tty)).then((p) => p(l)), silent });
    return { opts, engine: withFirewallBackend(remote, backend), remote, out: (t) => process.stdout.write(t) };
  }
  if (process.getuid?.() !== 0 && !opts.dryRun) {
    if (needs.root) throw notRoot('changing the host\'s network');
    if (!canRead(opts.stateDir)) throw notRoot(`reading ${opts.stateDir}`);
  }
  // The transcript goes to the state directory once it exists (the first change creates it):
  // a refused or read-only command leaves nothing on the host.
  const transcript = !opts.dryRun && existsSync(opts.stateDir) ? opts.stateDir : undefined;
  // The engine, the runner and the logger are loaded only by a command that needs them (not by
  // help, version or a call that goes through nslabd): start-up is most of a short command.
  const [{ Engine }, { ExecaRunner }, { makeLogger, plainLogger }] = await Promise.all([import('../engine/engine.js'), import('../exec/runner.js'), import('../log.js')]);
  const log = needs.root || opts.dryRun ? await makeLogger({ level: opts.logLevel, transcriptDir: transcript }) : plainLogger(opts.logLevel);
  const env = (k: string) => (process.env[k] ? Number(process.env[k]) : undefined);
  const tty = process.stderr.isTTY;
  const engine = new Engine({
    runner: new ExecaRunner(log),
    stateDir: opts.stateDir,
    log,
    dryRun: opts.dryRun,
    faultAt: env('NSLAB_FAULT_AT'), // test hooks: fail, or kill -9 the process, before op N
    crashAt: env('NSLAB_CRASH_AT'),
    emit: (s) => process.stdout.write(s),
    notice,
    firewallBackend: backend,
    onProgress: tty ? showProgress : undefined,
  });
  // The same shape checks nslabd applies to a request, so both ways in refuse alike.
  const checked = withCheckedArgs(engine);
  return { opts, engine: withFirewallBackend(opts.dryRun ? checked : withAliasNotice(checked, notice), backend), out: (t) => process.stdout.write(t) };
}

/**
 * The engine with `--firewall-backend` written into every network request that names none, so
 * that it means the same through nslabd (whose own default may differ) as in-process.
 */
function withFirewallBackend<E extends EngineApi>(engine: E, backend: FirewallBackendName | undefined): E {
  if (!backend) return engine;
  const fill = (n: NetworkInput): NetworkInput => (n.firewall === undefined ? { ...n, firewall: backend } : n);
  return Object.assign(Object.create(engine) as E, {
    createNetwork: (input: NetworkInput) => engine.createNetwork(fill(input)),
    up: (networks: readonly NetworkInput[], containers: Parameters<EngineApi['up']>[1]) => engine.up(networks.map(fill), containers),
    plan: (networks: readonly NetworkInput[], containers: Parameters<EngineApi['plan']>[1]) => engine.plan(networks.map(fill), containers),
  });
}

export const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/** Print the names a remove removed: one per line, or a JSON list. Nothing in dry-run. */
export function printRemoved(c: Cli, removed: readonly string[]): void {
  if (!c.opts.dryRun) c.out(c.opts.json ? json(removed) : removed.map((n) => `${n}\n`).join(''));
}

/** A plain text table with left-aligned columns. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
