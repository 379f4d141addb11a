// nslabd: holds the state lock for its life, serialises changes, serves the engine over HTTP/JSON
// on a Unix socket, rebuilds what the records hold at start, and streams events.
import { mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { MUTATIONS, type EngineApi, type Mutation } from '../engine/api.js';
import { Engine } from '../engine/engine.js';
import { clip, errorJson, exitCodeOf, kindOf, NotFoundError, NslabError, statusOf, ValidationError } from '../errors.js';
import { ExecaRunner } from '../exec/runner.js';
import { Launcher } from '../exec/launcher.js';
import { StateLock } from '../state/lock.js';
import { CorruptStateError } from '../state/store.js';
import { forgetDaemon, liveDaemon, recordDaemon } from '../state/daemon-pid.js';
import type { FirewallBackendName } from '../state/types.js';
import { NameService } from './names.js';
import { recordsView } from './views.js';
import { nslabVersion } from '../version.js';
import { logTap } from '../log.js';
import { EventBus } from './events.js';
import { announce, subjects } from './announce.js';
import { ReplyStream, watchOf } from './reply.js';
import { BodyTooLarge, limitConnections, readArgs } from './http.js';
import { listenUnix, refuseNonSocket } from './socket.js';
import { listenTcp, serveDiagram, viewServer, type HttpAddress } from './diagram-routes.js';

export interface DaemonOptions {
  socket: string;
  stateDir: string;
  log: Logger;
  /** The firewall backend of networks whose request names none. */
  firewallBackend?: FirewallBackendName;
  /** The embedded DNS server's upstreams for containers without --dns (nslabd --dns). */
  dns?: string[];
  /** nslabd --http: a TCP listener for browsers serving only the diagram page, /v1/diagram and /v1/events. */
  http?: HttpAddress;
}

export class Daemon {
  readonly events = new EventBus();
  private server: Server | undefined;
  private web: Server | undefined;
  private lock: StateLock | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private corrupt: string | undefined;
  private readonly streams = new Set<ServerResponse>();
  private seq = 0;
  private stopping = false;
  /** Settles when the start-up lock and reconcile are done: requests that came earlier wait for it. */
  private ready: Promise<void> | undefined;
  private starting = true;

  /** One launcher (bash) starts the kernel commands of every request, for nslabd's lifetime. */
  private readonly launcher = new Launcher();

  /** The embedded DNS server's host in nslabd. */
  private readonly names: NameService;

  constructor(private readonly o: DaemonOptions) {
    this.names = new NameService(o.log, o.dns ?? [], (type, name, detail) => this.events.publish(type, name, detail));
  }

  private engine(log: Logger, notices: string[], onProgress?: (done: number, total: number) => void): Engine {
    return new Engine({ runner: new ExecaRunner(log, { launcher: this.launcher }), stateDir: this.o.stateDir, log, lockHeld: true, notice: (l) => notices.push(l), firewallBackend: this.o.firewallBackend, onProgress });
  }

  /** Run `fn` after every change queued before it: changes never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async start(): Promise<void> {
    // Checked before the lock and the reconcile: a wrong --socket changes nothing.
    refuseNonSocket(this.o.socket);
    mkdirSync(this.o.stateDir, { recursive: true, mode: 0o700 });
    // Say who serves this state directory before anything else: a CLI that finds the socket
    // silent from now on (not bound yet, or nslabd stopped) waits for this process.
    const other = liveDaemon(this.o.stateDir);
    if (other && other.pid !== process.pid) throw new Error(`the state directory ${this.o.stateDir} is in use by nslabd (pid ${other.pid}, on ${other.socket})`);
    recordDaemon(this.o.stateDir, this.o.socket);
    // Listen before taking the lock: a CLI call made while nslabd starts finds it answering and
    // waits for the start-up reconcile, instead of falling back in-process onto a lock that
    // nslabd holds for its life (which failed after 60 s).
    this.server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => void this.answer(req, res));
    limitConnections(this.server);
    let sock;
    try {
      sock = await listenUnix(this.server, this.o.socket);
    } catch (e) {
      forgetDaemon(this.o.stateDir);
      throw e;
    }
    this.o.log.info({ socket: this.o.socket, ...sock, stateDir: this.o.stateDir, pid: process.pid }, 'nslabd listening');
    this.ready = (async () => {
      if (this.o.http) await this.openWeb(this.o.http);
      // Held for the daemon's life: an in-process `nslab` can never write behind its back.
      this.lock = await StateLock.acquire(join(this.o.stateDir, 'lock'), 2000).catch((e: Error) => {
        throw new Error(`the state directory ${this.o.stateDir} is in use by another nslab or nslabd (${e.message})`);
      });
      // Holding the lock, this process is the one: write the record again, in case another
      // nslabd starting at the same moment replaced it before failing.
      recordDaemon(this.o.stateDir, this.o.socket);
      await this.reconcile('start');
    })();
    try {
      await this.ready;
    } catch (e) {
      forgetDaemon(this.o.stateDir);
      this.web?.close();
      this.server.close();
      this.server.closeAllConnections();
      try {
        unlinkSync(this.o.socket);
      } catch { /* already gone */ }
      throw e;
    }
    this.starting = false;
    this.o.log.info('nslabd ready: the recorded lab is in place');
  }

  /**
   * Undo what an interrupted change left (intent file), then restore exactly what the records
   * hold: after a reboot the kernel objects are gone and are rebuilt with the same addresses;
   * after a hand-made change (a flushed ruleset, a deleted veth) the missing parts come back.
   */
  reconcile(why: string): Promise<void> {
    return this.serial(async () => {
      const log = this.o.log.child({ reconcile: why });
      const e = this.engine(log, []);
      try {
        await e.recoverNow();
        const r = await e.check(true);
        this.corrupt = undefined;
        if (r.repaired) {
          log.warn({ drift: r.drift.map((d) => `${d.owner}: ${d.what}`) }, `restored ${r.drift.length} difference(s) between the records and the kernel`);
          this.events.publish('repaired', why, { differences: r.drift.length });
        }
      } catch (err) {
        if (!(err instanceof CorruptStateError)) throw err;
        this.corrupt = err.message;
        log.error(err.message);
      }
      await this.names.refresh(() => this.engine(log, []).readState(), log);
      this.names.flush();
    });
  }

  /** SIGTERM: stop taking requests, finish the one in flight, keep every container; exit. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.o.log.info('nslabd stopping: finishing the request in flight; the lab stays up');
    this.server?.close();
    this.server?.closeIdleConnections();
    this.web?.close();
    this.web?.closeIdleConnections();
    for (const s of this.streams) s.end();
    await this.queue;
    await this.names.close();
    try {
      unlinkSync(this.o.socket);
    } catch { /* already gone */ }
    forgetDaemon(this.o.stateDir);
    this.lock?.release();
    this.launcher.close();
  }

  private send(res: ServerResponse, status: number, body: unknown, close = false): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...(close ? { connection: 'close' } : {}) }).end(JSON.stringify(body));
  }

  /** Answer with an error: its status and its JSON from the table of error kinds (src/errors.ts). */
  private refuse(res: ServerResponse, e: unknown, notices?: string[], close = false): void {
    this.send(res, statusOf(e), { error: errorJson(e), ...(notices ? { notices } : {}) }, close);
  }

  /** The last resort: whatever a request throws, it gets a 500 and nslabd goes on. */
  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.handle(req, res);
    } catch (e) {
      this.o.log.error({ err: clip(String((e as Error)?.stack ?? e), 2000), method: req.method, url: clip(req.url ?? '', 200) }, 'request failed unexpectedly');
      this.refuse(res, new NslabError('failed', `nslabd: internal error: ${clip(String((e as Error)?.message ?? e), 200)}`, { cause: e }), undefined, true);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://nslabd');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v1/ping') {
      return this.send(res, 200, { result: { pid: process.pid, stateDir: this.o.stateDir, version: nslabVersion(), status: this.starting ? 'starting' : 'ready' } });
    }
    if (req.method === 'GET' && path === '/v1/events') return this.stream(res);
    if (req.method === 'GET' && path === '/v1/diagram') return serveDiagram(url, res, { stateDir: this.o.stateDir, launcher: this.launcher });
    // Every other request waits for the start-up reconcile (ping says 'starting' meanwhile).
    if (this.starting) {
      try {
        await this.ready;
      } catch (e) {
        return this.refuse(res, new NslabError('unreachable', `nslabd could not start: ${clip((e as Error).message, 200)}`), undefined, true);
      }
    }
    if (req.method === 'GET' && path === '/v1/state') {
      // Reads do not queue behind changes: the state file is replaced atomically.
      try {
        return this.send(res, 200, { result: await this.engine(this.o.log, []).readState() });
      } catch (e) {
        return this.refuse(res, e);
      }
    }
    const view = /^\/v1\/(networks|containers)(?:\/([^/]+))?$/.exec(path);
    if (req.method === 'GET' && view) {
      let name: string | undefined;
      try {
        name = view[2] === undefined ? undefined : decodeURIComponent(view[2]);
      } catch {
        return this.refuse(res, new ValidationError('name', `"${clip(view[2]!)}" is not valid percent-encoding`));
      }
      return this.views(res, view[1] as 'networks' | 'containers', name);
    }
    const verb = path.startsWith('/v1/') ? path.slice(4) : '';
    if (req.method !== 'POST' || !(MUTATIONS as readonly string[]).includes(verb)) {
      return this.refuse(res, new NotFoundError(`nslabd has no endpoint ${req.method} ${clip(path, 80)}`));
    }
    let args: unknown[];
    let reply: ReplyStream;
    try {
      reply = new ReplyStream(res, watchOf(url.searchParams));
      args = await readArgs(req, verb as Mutation);
    } catch (e) {
      // Too large: answer at once and drop the connection rather than read the rest.
      if (e instanceof BodyTooLarge) {
        this.refuse(res, e, undefined, true);
        res.once('finish', () => req.destroy());
        return;
      }
      return this.refuse(res, e);
    }
    const log = this.o.log.child({ req: ++this.seq, verb, ...subjects(verb as Mutation, args) });
    const notices: string[] = [];
    const started = performance.now();
    // The engine's lines go to nslabd's log as ever and, when the client asked, to it alone
    // (the tap follows this request's awaits); its level reaches down to what the client wants.
    const { progress, levelName } = reply.watch;
    const sink = reply.sink();
    const engineLog = sink && pino.levels.values[levelName!]! < log.levelVal ? log.child({}, { level: levelName }) : log;
    try {
      const result = await this.serial(async () => {
        if (this.corrupt && verb !== 'rebuildState' && verb !== 'reset') throw new CorruptStateError(join(this.o.stateDir, 'state.json'), 'see the log of nslabd');
        const engine = this.engine(engineLog, notices, progress ? reply.progress : undefined) as EngineApi;
        const run = () => (engine[verb as Mutation] as (...a: unknown[]) => Promise<unknown>)(...args);
        const r = await (sink ? logTap.run(sink, run) : run());
        if (verb === 'rebuildState' || verb === 'reset') this.corrupt = undefined;
        await this.names.refresh(() => this.engine(log, []).readState(), log);
        return r;
      });
      announce(this.events, verb as Mutation, args, result);
      this.names.flush();
      log.info({ ms: Math.round(performance.now() - started) }, 'request done');
      if (reply.started) reply.end({ result, notices });
      else this.send(res, 200, { result, notices });
    } catch (e) {
      const code = exitCodeOf(e);
      log[code === 2 ? 'info' : 'error']({ err: (e as Error).message, kind: kindOf(e), exitCode: code }, 'request failed');
      if (reply.started) reply.end({ error: errorJson(e), notices });
      else this.refuse(res, e, notices);
    }
  }

  /** GET /v1/networks[/NAME], /v1/containers[/NAME]: Docker-shaped views (ls and inspect). */
  private async views(res: ServerResponse, kind: 'networks' | 'containers', name: string | undefined): Promise<void> {
    try {
      return this.send(res, 200, { result: recordsView(await this.engine(this.o.log, []).readState(), kind, name) });
    } catch (e) {
      return this.refuse(res, e);
    }
  }

  /** The read-only listener for browsers (nslabd --http): its own server, never the engine's routes. */
  private async openWeb(a: HttpAddress): Promise<void> {
    this.web = viewServer(a, { stateDir: this.o.stateDir, launcher: this.launcher, events: (res) => this.stream(res), log: (e) => this.o.log.error({ err: String(e) }, 'http request failed') });
    await listenTcp(this.web, a);
    this.o.log.info({ url: `http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}/` }, 'nslabd serves the diagram page (read-only)');
  }

  private stream(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    res.flushHeaders();
    const on = (e: unknown) => res.write(JSON.stringify(e) + '\n');
    this.events.on('event', on);
    this.streams.add(res);
    res.on('close', () => {
      this.events.off('event', on);
      this.streams.delete(res);
    });
  }
}
