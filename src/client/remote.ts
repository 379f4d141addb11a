// The CLI's side of nslabd: the same EngineApi, each call one HTTP request on the Unix socket.
import { request, type IncomingMessage } from 'node:http';
import type { EngineApi, Mutation } from '../engine/api.js';
import { ERROR_KINDS, isErrorKind, NslabError, type ErrorJson, type ErrorKind } from '../errors.js';
import type { NslabEvent } from '../model/events.js';
import { pings } from './probe.js';
import { stateFromJson, type State } from '../state/types.js';

/**
 * An error nslabd reported, rebuilt with its kind (so its exit code), message, field and failures:
 * `--json` prints it as the engine in-process would. Or nslabd could not be reached (`unreachable`).
 */
export class RemoteError extends NslabError {
  readonly field?: string;
  readonly failures?: readonly string[];
  constructor(kind: ErrorKind, message: string, extra: Pick<ErrorJson, 'field' | 'failures'> = {}, options?: { cause?: unknown }) {
    super(kind, message, options);
    this.name = 'RemoteError';
    if (typeof extra.field === 'string') this.field = extra.field;
    if (Array.isArray(extra.failures)) this.failures = extra.failures.map(String);
  }

  /** The error of nslabd's reply; a kind this client does not know keeps the exit code nslabd gave. */
  static of(e: Partial<ErrorJson>): RemoteError {
    const kind = isErrorKind(e.kind) ? e.kind : e.exitCode === ERROR_KINDS.invalid.exitCode ? 'invalid' : 'failed';
    return new RemoteError(kind, String(e.message ?? 'nslabd reported an error without a message'), e);
  }
}

interface Reply {
  result?: unknown;
  notices?: string[];
  error?: Partial<ErrorJson>;
  /** Lines of a streamed answer before the last: progress, or one log line of the request. */
  progress?: [number, number];
  log?: Record<string, unknown>;
}

/** What to show while a change runs in nslabd, as the CLI shows it in-process. */
export interface Watch {
  /** Each step of the apply (done, total); asked for only when given. */
  progress?: (done: number, total: number) => void;
  /** The lowest level of the request's own log lines to receive (pino's names; silent: none). */
  logLevel?: string;
  /** Each such line, as nslabd's pino wrote it. */
  log?: (line: string) => void;
  /** Called once when a request has had no answer for SILENT_MS and nslabd does not answer a ping either (stopped, hung). */
  silent?: () => void;
}

/** How long a request waits for an answer before the client checks that nslabd still answers at all. */
export const SILENT_MS = 1000;

/** Call `onLine` with each complete line of an NDJSON body as it arrives. */
function eachLine(res: IncomingMessage, onLine: (line: string) => void): void {
  let buf = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => {
    buf += c;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) onLine(line);
    }
  });
}

export class RemoteEngine implements EngineApi {
  constructor(private readonly socket: string, private readonly notice: (line: string) => void, private readonly watch: Watch = {}) {}

  private send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const settle = (reply: Reply) => {
        for (const n of reply.notices ?? []) this.notice(n);
        if (reply.error) reject(RemoteError.of(reply.error));
        else resolve(reply.result);
      };
      // A long change is normal; a daemon that does not even answer its ping is worth a word.
      let heard = false;
      const silent = this.watch.silent;
      const dog = silent && setTimeout(() => void pings(this.socket, 2 * SILENT_MS).then((up) => up || heard || silent()), SILENT_MS).unref();
      const req = request({ socketPath: this.socket, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
        heard = true;
        clearTimeout(dog);
        if (res.headers['content-type'] === 'application/x-ndjson') {
          // A streamed answer: progress and log lines as they come, then how it ended.
          let last: Reply | undefined;
          eachLine(res, (line) => {
            let r: Reply;
            try {
              r = JSON.parse(line) as Reply;
            } catch {
              return;
            }
            if (r.progress) this.watch.progress?.(r.progress[0], r.progress[1]);
            else if (r.log) this.watch.log?.(JSON.stringify(r.log));
            else last = r;
          });
          res.on('end', () => (last ? settle(last) : reject(new RemoteError('unreachable', `nslabd on ${this.socket} ended its answer before saying how the request ended`))));
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let reply: Reply;
          try {
            reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply;
          } catch {
            return reject(new RemoteError('unreachable', `nslabd answered ${res.statusCode} with something that is not JSON`));
          }
          settle(reply);
        });
      });
      req.on('error', (e) => {
        clearTimeout(dog);
        reject(new RemoteError('unreachable', `nslabd on ${this.socket}: ${e.message}`, {}, { cause: e }));
      });
      req.end(data);
    });
  }

  /** A change: POST /v1/VERB, asking for the progress and log lines this client shows. */
  private call<T>(verb: Mutation, ...args: unknown[]): Promise<T> {
    const q = new URLSearchParams();
    if (this.watch.progress) q.set('progress', '1');
    if (this.watch.log && this.watch.logLevel && this.watch.logLevel !== 'silent') q.set('log', this.watch.logLevel);
    const query = q.size ? `?${q}` : '';
    return this.send('POST', `/v1/${verb}${query}`, args) as Promise<T>;
  }

  /** nslabd's pid, state directory and version (GET /v1/ping): reads nothing, changes nothing. */
  ping = () => this.send('GET', '/v1/ping') as Promise<{ pid: number; stateDir: string; version?: string }>;

  // JSON.parse gives plain objects: the CLI looks names up in what it receives.
  readState = () => (this.send('GET', '/v1/state') as Promise<State>).then(stateFromJson);
  createNetwork: EngineApi['createNetwork'] = (input) => this.call('createNetwork', input);
  removeNetworks: EngineApi['removeNetworks'] = (names, force) => this.call('removeNetworks', names, force);
  createContainers: EngineApi['createContainers'] = (inputs) => this.call('createContainers', inputs);
  up: EngineApi['up'] = (networks, containers) => this.call('up', networks, containers);
  removeContainers: EngineApi['removeContainers'] = (names, force) => this.call('removeContainers', names, force);
  connect: EngineApi['connect'] = (network, container, o) => this.call('connect', network, container, o);
  disconnect: EngineApi['disconnect'] = (network, container) => this.call('disconnect', network, container);
  reset: EngineApi['reset'] = () => this.call('reset');
  check: EngineApi['check'] = (repair) => this.call('check', repair);
  gc: EngineApi['gc'] = () => this.call('gc');
  rebuildState: EngineApi['rebuildState'] = () => this.call<State>('rebuildState').then(stateFromJson);
  plan: EngineApi['plan'] = (networks, containers) => this.call('plan', networks, containers);

  /** Stream events until the connection ends (Ctrl-C ends the process). */
  events(onEvent: (e: NslabEvent) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socket, method: 'GET', path: '/v1/events' }, (res) => {
        eachLine(res, (line) => onEvent(JSON.parse(line) as NslabEvent));
        res.on('end', resolve);
      });
      req.on('error', (e) => reject(new RemoteError('unreachable', `nslabd on ${this.socket}: ${e.message}`, {}, { cause: e })));
      req.end();
    });
  }
}
