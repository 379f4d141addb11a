// nslabd's client and a streamed answer: progress and log lines reach the CLI's callbacks as
// they come, the last line settles the call (an error keeps its kind and exit code), and the
// plain answer still works; a daemon that answers nothing, not even its ping, is said once.
import t from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteEngine } from '../../../src/client/remote.js';
import { exitCodeOf, kindOf } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dsremote-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const socket = join(dir, 'nslabd.sock');
let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
const urls: string[] = [];
const server = createServer((req, res) => {
  urls.push(req.url!);
  handler(req, res);
});
await new Promise<void>((r) => server.listen(socket, r));
t.teardown(() => {
  server.closeAllConnections();
  server.close();
});

const ndjson = (res: ServerResponse, lines: unknown[]) => {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const l of lines) res.write(JSON.stringify(l) + '\n');
  res.end();
};
const log = { level: 30, time: 1, name: 'nslabd', req: 1, verb: 'up', argv: ['ip', '-batch', '-'], msg: 'kernel command' };

t.test('a streamed answer: progress and log lines in order, then the result and notices', async (t) => {
  const seen: string[] = [];
  handler = (_, res) => ndjson(res, [{ progress: [1, 2] }, { log }, { progress: [2, 2] }, { result: ['x'], notices: ['n1'] }]);
  const api = new RemoteEngine(socket, (n) => seen.push(`notice ${n}`), { progress: (d, n) => seen.push(`${d}/${n}`), logLevel: 'debug', log: (l) => seen.push(JSON.parse(l).msg) });
  t.same(await api.removeContainers(['x']), ['x']);
  t.same(seen, ['1/2', 'kernel command', '2/2', 'notice n1']);
  t.equal(urls.at(-1), '/v1/removeContainers?progress=1&log=debug', 'it asked for what it shows');
});

t.test('a streamed error: the same kind, exit code and message as a plain one', async (t) => {
  handler = (_, res) => ndjson(res, [{ log }, { error: { kind: 'conflict', message: 'container: "a" already exists', exitCode: 2 } }]);
  const api = new RemoteEngine(socket, () => undefined, { logLevel: 'info', log: () => undefined });
  const e = await api.createContainers([{ name: 'a' }]).catch((x: unknown) => x);
  t.same([kindOf(e), exitCodeOf(e), (e as Error).message], ['conflict', 2, 'container: "a" already exists']);
  handler = (_, res) => ndjson(res, [{ progress: [1, 3] }]);
  const cut = await api.reset().catch((x: unknown) => x);
  t.same([kindOf(cut), exitCodeOf(cut)], ['unreachable', 1], 'an answer cut short before its last line: unreachable');
});

t.test('asking for nothing: no query; the plain answer as before', async (t) => {
  handler = (_, res) => res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { kind: 'conflict', message: 'no', exitCode: 2 } }));
  const api = new RemoteEngine(socket, () => undefined);
  const e = await api.gc().catch((x: unknown) => x);
  t.equal(exitCodeOf(e), 2);
  t.equal(urls.at(-1), '/v1/gc');
  const silentLevel = new RemoteEngine(socket, () => undefined, { logLevel: 'silent', log: () => undefined });
  await silentLevel.gc().catch(() => undefined);
  t.equal(urls.at(-1), '/v1/gc', 'silent: no log lines asked for');
});

t.test('no answer and no ping answer: said once; an answer in time says nothing', async (t) => {
  let release: () => void = () => undefined;
  handler = (req, res) => {
    if (req.url === '/v1/ping') return; // hung: never answers
    release = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":{"drift":[],"repaired":false}}');
  };
  let said = 0;
  const api = new RemoteEngine(socket, () => undefined, { silent: () => void said++ });
  const call = api.check(false);
  await new Promise((r) => setTimeout(r, 3500));
  t.equal(said, 1, 'said once while waiting');
  release();
  t.same(await call, { drift: [], repaired: false });
  handler = (req, res) => (req.url === '/v1/ping' ? res.end('{"result":{}}') : void setTimeout(() => res.end('{"result":[]}'), 1500));
  said = 0;
  t.same(await api.gc(), [], 'a slow answer from a daemon that answers its ping');
  t.equal(said, 0, 'is not a hang');
});
