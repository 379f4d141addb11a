// The CLI's side of nslabd: the same EngineApi, each call one HTTP request on the Unix socket.
import { request } from 'node:http';
import type { EngineApi, Mutation } from '../engine/api.js';
import type { NslabEvent } from '../model/events.js';
import { stateFromJson, type State } from '../state/types.js';

/** An error nslabd reported: same message and exit code as the engine in-process would give. */
export class RemoteError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'RemoteError';
  }
}

interface Reply {
  result?: unknown;
  notices?: string[];
  error?: { message: string; exitCode: number };
}

export class RemoteEngine implements EngineApi {
  constructor(private readonly socket: string, private readonly notice: (line: string) => void) {}

  private send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socket, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let reply: Reply;
          try {
            reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Reply;
          } catch {
            return reject(new RemoteError(`nslabd answered ${res.statusCode} with something that is not JSON`, 1));
          }
          for (const n of reply.notices ?? []) this.notice(n);
          if (reply.error) reject(new RemoteError(reply.error.message, reply.error.exitCode));
          else resolve(reply.result);
        });
      });
      req.on('error', (e) => reject(new RemoteError(`nslabd on ${this.socket}: ${e.message}`, 1)));
      req.end(data);
    });
  }

  private call<T>(verb: Mutation, ...args: unknown[]): Promise<T> {
    return this.send('POST', `/v1/${verb}`, args) as Promise<T>;
  }

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

  /** Stream events until the connection ends (Ctrl-C ends the process). */
  events(onEvent: (e: NslabEvent) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socket, method: 'GET', path: '/v1/events' }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          buf += c;
          for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line.trim()) onEvent(JSON.parse(line) as NslabEvent);
          }
        });
        res.on('end', resolve);
      });
      req.on('error', (e) => reject(new RemoteError(`nslabd on ${this.socket}: ${e.message}`, 1)));
      req.end();
    });
  }
}
