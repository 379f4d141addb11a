// nslabd survives every request: wrong shapes per verb, deep nesting, bad percent-encoding,
// Object.prototype names, oversized bodies, idle and half-sent connections; afterwards the same
// PID answers and the fake host is exactly as before.
import t from 'tap';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { sandbox } from '../helpers/sandbox.js';
import { HEADERS_TIMEOUT_MS, MAX_CONNECTIONS } from '../../src/daemon/http.js';

const sb = await sandbox('kad');
t.teardown(() => sb.down());
const c = sb.name('c');

interface Reply { status: number; body: any }

/** One request on nslabd's socket; `headers` may lie about the body's length. */
function call(method: string, path: string, body?: string, headers: Record<string, string | number> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sb.socket, method, path, agent: false, headers: body === undefined ? headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* keep the text */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pid = async () => (await call('GET', '/v1/ping')).body.result.pid as number;

await sb.cli(['network', 'create', 'kan', '--subnet', '10.231.0.0/24']);
await sb.cli(['container', 'create', c, '--network', 'kan']);
await sb.startDaemon();
const daemonPid = sb.daemon!.pid!;
const before = await sb.snapshot();

const deep = '['.repeat(100_000) + ']'.repeat(100_000);
// [what, method, path, body, status, message]
const table: Array<[string, string, string, string | undefined, number, RegExp]> = [
  ['createContainers with an object for the list', 'POST', '/v1/createContainers', '[{"name":"x"}]', 400, /^containers: must be a list/],
  ['createContainers with a number for a name', 'POST', '/v1/createContainers', '[[{"name":5}]]', 400, /^containers\[0\]\.name: must be a string/],
  ['createContainers with an unknown key', 'POST', '/v1/createContainers', '[[{"name":"x","privileged":true}]]', 400, /^containers\[0\]\.privileged: unknown key/],
  ['createContainers with a 600-character name', 'POST', '/v1/createContainers', JSON.stringify([[{ name: 'x'.repeat(600) }]]), 400, /^containers\[0\]\.name: is longer than 512/],
  ['createContainers 100,000 levels deep', 'POST', '/v1/createContainers', deep, 400, /^containers\[0\]: must be a mapping/],
  ['createContainers with no arguments', 'POST', '/v1/createContainers', '[]', 400, /^containers: is required/],
  ['createNetwork with a list for the input', 'POST', '/v1/createNetwork', '[[{"name":"x"}]]', 400, /^network: must be a mapping/],
  ['createNetwork with an object for the MTU', 'POST', '/v1/createNetwork', '[{"name":"x","mtu":{}}]', 400, /^network\.mtu: must be a number or a string/],
  ['createNetwork with a string for a flag', 'POST', '/v1/createNetwork', '[{"name":"x","internal":"maybe"}]', 400, /^network\.internal: must be true or false/],
  ['createNetwork with an object body', 'POST', '/v1/createNetwork', '{"name":"x"}', 400, /^request: the body must be a JSON array/],
  ['createNetwork with a body that is not JSON', 'POST', '/v1/createNetwork', '[{"name":', 400, /^request: the body is not JSON/],
  ['removeNetworks with a string for the list', 'POST', '/v1/removeNetworks', '["x"]', 400, /^names: must be a list/],
  ['removeContainers with a list in the list', 'POST', '/v1/removeContainers', '[[["x"]]]', 400, /^names\[0\]: must be a string/],
  ['removeContainers with a string for force', 'POST', '/v1/removeContainers', '[["x"],"yes"]', 400, /^force: must be true or false/],
  ['connect without a container', 'POST', '/v1/connect', '["kan"]', 400, /^container: is required/],
  ['connect with a number for the address', 'POST', '/v1/connect', JSON.stringify(['kan', c, { ip: 5 }]), 400, /^options\.ip: must be a string/],
  ['connect to an unknown network', 'POST', '/v1/connect', JSON.stringify(['nosuch', c]), 404, /^network: no such network "nosuch"/],
  ['disconnect with an extra argument', 'POST', '/v1/disconnect', '["kan","x",1]', 400, /^arguments: has more than 2 arguments/],
  ['check with a string for repair', 'POST', '/v1/check', '["yes"]', 400, /^repair: must be true or false/],
  ['gc with an argument', 'POST', '/v1/gc', '[1]', 400, /^arguments: has more than 0 arguments/],
  ['reset with an object body', 'POST', '/v1/reset', '{}', 400, /^request: the body must be a JSON array/],
  ['a create that conflicts', 'POST', '/v1/createContainers', JSON.stringify([[{ name: c, network: 'kan', ip: '10.231.0.99' }]]), 409, /already exists with other settings/],
  ['a lone percent sign in a path', 'GET', '/v1/containers/%', undefined, 400, /^name: "%" is not valid percent-encoding/],
  ['a cut-off UTF-8 sequence in a path', 'GET', '/v1/networks/%E0%A4%A', undefined, 400, /^name: .* is not valid percent-encoding/],
  ['a verb named like an Object.prototype property', 'POST', '/v1/constructor', '[]', 404, /no endpoint POST \/v1\/constructor/],
  ['a verb named __proto__', 'POST', '/v1/__proto__', '[]', 404, /no endpoint/],
];
for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__', 'isPrototypeOf']) {
  table.push([`GET /v1/networks/${name}`, 'GET', `/v1/networks/${encodeURIComponent(name)}`, undefined, 404, new RegExp(`^network: no such network "${name}"`)]);
  table.push([`GET /v1/containers/${name}`, 'GET', `/v1/containers/${encodeURIComponent(name)}`, undefined, 404, new RegExp(`^container: no such container "${name}"`)]);
}

t.test('every hostile request gets a 4xx naming the field, and the same nslabd answers the next one', async (t) => {
  for (const [what, method, path, body, status, message] of table) {
    const r = await call(method, path, body);
    t.equal(r.status, status, `${what}: ${status}`);
    t.match(r.body?.error?.message, message, `${what}: ${String(r.body?.error?.message).slice(0, 80)}`);
    t.equal(r.body?.error?.exitCode, 2, `${what}: exit code 2 for the CLI`);
  }
  t.equal(await pid(), daemonPid, 'the same nslabd still answers');
});

t.test('a body above 1 MiB is refused with 413, by its length or as it streams in', async (t) => {
  const declared = await call('POST', '/v1/removeNetworks', '[["x"]]', { 'content-length': 600 * 1024 * 1024 });
  t.equal(declared.status, 413, 'Content-Length of 600 MB: 413 before any of it is read');
  t.match(declared.body.error.message, /larger than 1 MiB/);
  // Chunked, no length: nslabd stops reading past the limit; the client sees a 413 or the cut.
  const streamed = await new Promise<{ status?: number; sent: number }>((resolve) => {
    let sent = 0;
    const req = request({ socketPath: sb.socket, method: 'POST', path: '/v1/removeNetworks', agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode, sent });
    });
    req.on('error', () => resolve({ sent }));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
  t.ok(streamed.status === 413 || streamed.status === undefined, `a streamed body: ${streamed.status ?? 'connection cut'}`);
  t.ok(streamed.sent < 64 * 1024 * 1024, `nslabd stopped taking the body after ${(streamed.sent / 1048576).toFixed(1)} MiB of 64`);
  t.equal(await pid(), daemonPid, 'the same nslabd still answers');
});

t.test('idle and half-sent connections cannot lock clients out, and are closed after the timeout', async (t) => {
  const open = (n: number, send?: string) => Promise.all(Array.from({ length: n }, () => new Promise<Socket>((res, rej) => {
    const s = connect(sb.socket, () => {
      if (send) s.write(send);
      res(s);
    });
    s.on('error', () => { /* the daemon may cut it */ });
    s.once('error', rej);
  })));
  const closed = (ss: Socket[]) => ss.filter((s) => s.destroyed || s.readyState === 'closed').length;
  const n = MAX_CONNECTIONS * 4;
  const silent = await open(n);
  const slow = await open(MAX_CONNECTIONS / 2, 'GET /v1/ping HTTP/1.1\r\nHost: x\r\n'); // headers never finished
  await new Promise((r) => setTimeout(r, 300));
  const t0 = performance.now();
  t.equal(await pid(), daemonPid, `with ${n} silent and ${MAX_CONNECTIONS / 2} half-sent connections opened, a new client is served`);
  t.ok(performance.now() - t0 < 5000, 'promptly');
  const r = await call('POST', '/v1/check', '[]');
  t.equal(r.status, 200, 'and a verb works');
  // Each is closed HEADERS_TIMEOUT_MS after nslabd accepted it; under load the last ones are
  // accepted (and their timers started) seconds after they were opened: allow for that.
  const deadline = performance.now() + HEADERS_TIMEOUT_MS + 15_000;
  await new Promise((r) => setTimeout(r, HEADERS_TIMEOUT_MS));
  while ((closed(silent) < silent.length || closed(slow) < slow.length) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  t.equal(closed(silent), silent.length, `all ${silent.length} silent connections are closed after ${HEADERS_TIMEOUT_MS / 1000} s`);
  t.equal(closed(slow), slow.length, `all ${slow.length} half-sent connections are closed too`);
  for (const s of [...silent, ...slow]) s.destroy();
  t.equal(await pid(), daemonPid, 'the same nslabd still answers');
});

t.test('after all of it: the same process, the host unchanged, the lab whole', async (t) => {
  t.equal(sb.daemon!.exitCode, null, 'nslabd never exited');
  t.equal(await pid(), daemonPid);
  t.same(await sb.snapshot(), before, 'links, addresses, routes, rules, namespaces: as before');
  t.equal((await sb.cli(['check'])).code, 0, 'check: the records match the kernel');
  await sb.cli(['container', 'rm', c]);
  await sb.cli(['network', 'rm', 'kan']);
});
