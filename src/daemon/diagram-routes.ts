// nslabd's read-only views: GET /v1/diagram on its socket, and `nslabd --http ADDR:PORT`, a TCP
// listener for a browser that serves only GETs of the page, the diagram and the event stream.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { clip, errorJson, statusOf, ValidationError } from '../errors.js';
import type { Launcher } from '../exec/launcher.js';
import { limitConnections } from './http.js';
import { diagramPage } from './page.js';

const TYPES: Record<string, string> = {
  svg: 'image/svg+xml; charset=utf-8',
  dot: 'text/vnd.graphviz; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
};

/** Where `--http` listens. */
export interface HttpAddress {
  host: string;
  port: number;
}

/**
 * `--http ADDR:PORT` parsed: an IPv4 address, or an IPv6 one in brackets, and a port 1-65535.
 * Any address the user names is taken (127.0.0.1 keeps the page on this machine; the VM's
 * private-network address shows it to the host's browser). Pure; refused in one line naming the flag.
 */
export function parseHttpAddress(value: string): HttpAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(value);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host || isIP(host) === 0 || !(port >= 1 && port <= 65535)) {
    throw new ValidationError('http', `"${clip(value, 60)}" is not ADDRESS:PORT (an IP address and a port 1-65535, e.g. 127.0.0.1:8081 or [::1]:8081)`);
  }
  // A browser names the address it was given in its Host header, never 0.0.0.0 or ::, so a
  // page on a wildcard would refuse every request (the DNS-rebinding check): name one address.
  if (host === '0.0.0.0' || /^[0:]+$/.test(host)) {
    throw new ValidationError('http', `"${clip(value, 60)}": name one address of this machine (127.0.0.1, or the VM's address on the network your browser is on), not a wildcard`);
  }
  return { host, port };
}

/** GET /v1/diagram[?format=svg|dot|text|json|png]: the diagram of the live kernel (SVG by default). */
export async function serveDiagram(url: URL, res: ServerResponse, o: { stateDir: string; launcher: Launcher }): Promise<void> {
  try {
    const [{ checkFormat, render }, { readTopology }, { ExecaRunner }] = await Promise.all([
      import('../diagram/render.js'), import('../topology/read.js'), import('../exec/runner.js'),
    ]);
    const format = checkFormat('format', url.searchParams.get('format') ?? 'svg');
    // Read-only: no lock and no queue; a change in flight may show half done, the next event redraws it.
    const body = await render(await readTopology(new ExecaRunner(undefined, { launcher: o.launcher }), { stateDir: o.stateDir }), format);
    if (!res.destroyed) res.writeHead(200, { 'content-type': TYPES[format]!, 'cache-control': 'no-store' }).end(body);
  } catch (e) {
    if (!res.headersSent && !res.destroyed) res.writeHead(statusOf(e), { 'content-type': 'application/json' }).end(JSON.stringify({ error: errorJson(e) }));
  }
}

/** The Host headers a browser sends for `a` (a page reached under another name is refused: DNS rebinding). */
function hostsFor(a: HttpAddress): Set<string> {
  const v6 = isIP(a.host) === 6;
  const names = [v6 ? `[${a.host}]` : a.host];
  if (a.host === '127.0.0.1' || a.host === '::1') names.push('localhost', '127.0.0.1', '[::1]');
  // A browser leaves out the port when it is the scheme's default (80 for http).
  return new Set(names.flatMap((n) => (a.port === 80 ? [`${n}:80`, n] : [`${n}:${a.port}`])));
}

export interface ViewOptions {
  stateDir: string;
  launcher: Launcher;
  /** Stream nslabd's events to `res` (the same stream as on its socket). */
  events: (res: ServerResponse) => void;
  log: (e: unknown) => void;
}

/**
 * The requests of nslabd's TCP listener for browsers: GET `/` (the page), `/v1/diagram` and
 * `/v1/events`, nothing else. Any other method is 405, any other path 404: nothing that changes
 * the host is reachable. A Host header not naming `a` is 403 (DNS rebinding).
 */
export function viewRoutes(a: HttpAddress, o: ViewOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const hosts = hostsFor(a);
  return (req, res) => {
    const plain = (status: number, text: string, extra: Record<string, string> = {}) =>
      void res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...extra }).end(text + '\n');
    try {
      const url = new URL(req.url ?? '/', 'http://nslabd');
      const known = ['/', '/v1/diagram', '/v1/events'].includes(url.pathname);
      if (!known) return plain(404, `nslabd serves only GET /, /v1/diagram and /v1/events here`);
      if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, `${clip(req.method ?? '', 10)} is not served here: this listener only reads`, { allow: 'GET, HEAD' });
      if (!hosts.has(req.headers.host ?? '')) return plain(403, `the Host header must be one of ${[...hosts].join(', ')}`);
      if (url.pathname === '/v1/events') return o.events(res);
      if (url.pathname === '/v1/diagram') return void serveDiagram(url, res, o);
      const nonce = randomBytes(16).toString('base64');
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:`,
        'x-content-type-options': 'nosniff',
      }).end(diagramPage(nonce));
    } catch (e) {
      o.log(e);
      if (!res.headersSent) plain(500, 'nslabd: internal error');
    }
  };
}

/** The TCP listener (not yet listening) with nslabd's connection limits. */
export function viewServer(a: HttpAddress, o: ViewOptions): Server {
  const server = createServer({ connectionsCheckingInterval: 1000 }, viewRoutes(a, o));
  limitConnections(server);
  return server;
}

/** Listen on `a`; a busy port or an address this host does not hold rejects with one line. */
export function listenTcp(server: Server, a: HttpAddress): Promise<void> {
  return new Promise((res, rej) => {
    server.once('error', (e: NodeJS.ErrnoException) => rej(new ValidationError('http', `cannot listen on ${a.host}:${a.port}: ${e.code ?? e.message}`)));
    server.listen(a.port, a.host, () => res());
  });
}
