// nslabd --http: the address it takes, and the only requests its listener answers (GETs of the
// page, the diagram and the events; nothing that changes the host), without a socket.
import t from 'tap';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Launcher } from '../../../src/exec/launcher.js';
import { parseHttpAddress, viewRoutes } from '../../../src/daemon/diagram-routes.js';
import { MUTATIONS } from '../../../src/engine/api.js';

t.test('--http takes an IP address and a port, and refuses the rest naming the flag', async (t) => {
  t.same(parseHttpAddress('127.0.0.1:8081'), { host: '127.0.0.1', port: 8081 });
  t.same(parseHttpAddress('192.168.56.10:80'), { host: '192.168.56.10', port: 80 });
  t.same(parseHttpAddress('[::1]:8081'), { host: '::1', port: 8081 });
  for (const bad of ['8081', 'localhost:8081', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:65536', '300.1.1.1:80', '::1:8081', '127.0.0.1:80;rm']) {
    t.throws(() => parseHttpAddress(bad), { name: 'ValidationError', message: /^http: ".*" is not ADDRESS:PORT/ }, bad);
  }
  for (const wild of ['0.0.0.0:8081', '[::]:8081', '[0:0::0]:8081']) {
    t.throws(() => parseHttpAddress(wild), { name: 'ValidationError', message: /^http: ".*": name one address of this machine .*not a wildcard$/ }, `${wild}: no browser sends it as Host, the page would refuse all`);
  }
});

t.test('--http on port 80: a Host header without the port is taken', async (t) => {
  const route = (host: string) => ask('GET', '/', host, { host: '192.168.56.10', port: 80 });
  t.equal((await route('192.168.56.10')).status, 200, 'Host: 192.168.56.10');
  t.equal((await route('192.168.56.10:80')).status, 200, 'Host: 192.168.56.10:80');
  t.equal((await route('192.168.56.10:8081')).status, 403, 'another port');
  t.equal((await ask('GET', '/', '127.0.0.1')).status, 403, 'on another port than 80, the port is required');
});

/** One request through the routes: its status, headers and body, and whether the events stream was asked for. */
async function ask(method: string, url: string, host = '127.0.0.1:8081', at = { host: '127.0.0.1', port: 8081 }) {
  let streamed = false;
  const got = { status: 0, headers: {} as Record<string, string>, body: '', streamed: false };
  const res = {
    headersSent: false,
    destroyed: false,
    writeHead(status: number, headers: Record<string, string>) {
      got.status = status;
      got.headers = headers;
      this.headersSent = true;
      return this;
    },
    end(body?: string) {
      got.body = String(body ?? '');
      return this;
    },
  };
  const route = viewRoutes(at, { stateDir: '/nonexistent', launcher: {} as Launcher, events: () => void (streamed = true), log: () => undefined });
  route({ method, url, headers: { host } } as unknown as IncomingMessage, res as unknown as ServerResponse);
  return { ...got, streamed };
}

t.test('the page: HTML whose one script runs under a nonce, following /v1/events and drawing /v1/diagram', async (t) => {
  const r = await ask('GET', '/');
  t.equal(r.status, 200);
  t.match(r.headers['content-type'], /^text\/html/);
  const nonce = /script-src 'nonce-([^']+)'/.exec(r.headers['content-security-policy'] ?? '')?.[1];
  t.ok(nonce, 'a CSP with a nonce');
  t.match(r.body, `<script nonce="${nonce}">`);
  t.match(r.body, /fetch\('\/v1\/diagram'/);
  t.match(r.body, /fetch\('\/v1\/events'/);
  t.notMatch(r.body, /https?:\/\//, 'nothing fetched from elsewhere');
  t.not((await ask('GET', '/')).headers['content-security-policy'], r.headers['content-security-policy'], 'a new nonce each time');
  t.ok((await ask('GET', '/v1/events')).streamed, '/v1/events is the event stream');
  t.ok((await ask('GET', '/', 'localhost:8081')).status === 200, 'localhost names a loopback listener too');
});

t.test('nothing that changes the host is reachable: other methods 405, other paths 404', async (t) => {
  for (const verb of MUTATIONS) {
    const r = await ask('POST', `/v1/${verb}`);
    t.equal(r.status, 404, `POST /v1/${verb}`);
  }
  for (const path of ['/', '/v1/diagram', '/v1/events']) {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await ask(method, path);
      t.equal(r.status, 405, `${method} ${path}`);
      t.equal(r.headers.allow, 'GET, HEAD');
    }
  }
  for (const path of ['/v1/state', '/v1/ping', '/v1/networks', '/v1/containers/x', '/../etc/passwd']) t.equal((await ask('GET', path)).status, 404, `GET ${path}`);
  const r = await ask('GET', '/v1/diagram', 'attacker.example:8081');
  t.equal(r.status, 403, 'another Host (DNS rebinding) is refused');
});
