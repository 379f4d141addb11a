// nslabd's API: the socket's owner and mode (a client as nobody is refused), the CLI through
// the daemon with the same output and exit codes as in-process, 50 parallel creates, a /28
// exhausted by 20 parallel creates, events, logs, and no in-process write behind its back.
import t from 'tap';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { execa } from 'execa';
import { RemoteEngine } from '../../src/client/remote.js';
import { CLI, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('da');
t.teardown(() => sb.down());
const mask = (s: string) => s.replace(/\b[0-9a-f]{12,64}\b/g, 'ID').replace(/"(Created|created)": "[^"]+"/g, '"$1": "T"');

t.test('the same commands give the same output and exit codes in-process and through nslabd', async (t) => {
  const script: string[][] = [
    ['network', 'create', 'lab', '--subnet', '10.214.0.0/24'],
    ['container', 'create', sb.name('a'), '--network', 'lab'],
    ['container', 'create', sb.name('a'), '--network', 'lab', '--ip', '10.214.0.99'],
    ['container', 'create', sb.name('b'), '--network', 'nope'],
    ['container', 'create', 'bad/name'],
    ['--json', 'container', 'inspect', sb.name('a')],
    ['--json', 'container', 'create', sb.name('a'), '--network', 'lab', '--ip', '10.214.0.99'],
    ['--json', 'container', 'create', sb.name('b'), '--network', 'nope'],
    ['--json', 'container', 'create', 'bad/name'],
    ['container', 'ls'],
    ['network', 'ls'],
    ['network', 'rm', 'lab'],
    ['container', 'rm', sb.name('a')],
    ['container', 'rm', sb.name('a')],
    ['network', 'rm', 'lab'],
  ];
  const run = async () => {
    const out: Array<[number, string, string]> = [];
    for (const args of script) {
      const r = await sb.cli(args);
      out.push([r.code, mask(r.stdout), r.stderr]);
    }
    return out;
  };
  const inProcess = await run();
  await sb.startDaemon();
  const viaDaemon = await run();
  t.same(viaDaemon, inProcess, `${script.length} commands: identical stdout, stderr and exit codes`);
  t.same(inProcess.map((r) => r[0]), [0, 0, 2, 2, 2, 0, 2, 2, 2, 0, 0, 2, 0, 0, 0]);
  // Under --json an error is one JSON line on stderr, with its kind (and field): same both ways.
  t.same(viaDaemon.slice(6, 9).map((r) => JSON.parse(r[2]).error.kind), ['conflict', 'not-found', 'invalid']);
  t.equal(JSON.parse(viaDaemon[8]![2]).error.field, 'name', 'a bad value names its field');
  t.match(sb.daemonLog, /"req":\d+,"verb":"createContainers","container":"daa"/, 'a child logger per request (req, verb, container)');
  t.match(sb.daemonLog, /"verb":"createContainers","container":"daa","argv":\["ip","-batch","-"\],.*"exitCode":0,"ms":/, 'one line per kernel command, with argv, exit code and ms');
});

t.test('the socket is root\'s, mode 0660; a client that is neither root nor in group nslab is refused', async (t) => {
  const st = statSync(sb.socket);
  t.equal(st.mode & 0o777, 0o660, 'mode 0660');
  t.equal(st.uid, 0, 'owned by root');
  // The state directory is 0700; nobody needs to reach the socket itself to be refused by its mode.
  const probe = `require('net').connect(${JSON.stringify(sb.socket)}).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(1)})`;
  const asRoot = await execa('node', ['-e', probe], { reject: false });
  t.equal(asRoot.stdout, 'connected', 'root connects');
  await execa('chmod', ['0711', sb.stateDir]);
  const asNobody = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'node', '-e', probe], { reject: false });
  t.equal(asNobody.stdout, 'EACCES', 'nobody: EACCES');
  await execa('chmod', ['0700', sb.stateDir]);
});

t.test('50 parallel creates on one /24 through the socket: all succeed, no duplicate address', async (t) => {
  const api = new RemoteEngine(sb.socket, () => {});
  await api.createNetwork({ name: 'wide', subnet: '10.214.1.0/24' });
  const names = Array.from({ length: 50 }, (_, i) => sb.name(`w${i}`));
  const t0 = performance.now();
  const res = await Promise.allSettled(names.map((name) => api.createContainers([{ name, network: 'wide' }])));
  const ms = performance.now() - t0;
  t.equal(res.filter((r) => r.status === 'fulfilled').length, 50, `50 of 50 created (${ms.toFixed(0)} ms in all)`);
  const state = await api.readState();
  const ips = names.map((n) => state.containers[n]!.endpoints[0]!.addresses[0]!.ip);
  t.equal(new Set(ips).size, 50, 'no duplicate IP');
  t.equal((await sb.cli(['check'])).code, 0, 'and every one is whole in the kernel');
  // One launcher (bash) for all of nslabd's requests: not one left behind per request.
  const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1] === String(sb.daemon!.pid);
    } catch {
      return false;
    }
  });
  t.equal(children.length, 1, `after 52 requests nslabd has one child process, its launcher (${children.length})`);
  await api.removeContainers(names);
  await api.removeNetworks(['wide']);
});

t.test('20 parallel creates on a /28 (13 usable): exactly 13 succeed, 7 are told the range is exhausted', async (t) => {
  const api = new RemoteEngine(sb.socket, () => {});
  await api.createNetwork({ name: 'small', subnet: '10.214.2.0/28' });
  const names = Array.from({ length: 20 }, (_, i) => sb.name(`s${i}`));
  const res = await Promise.allSettled(names.map((name) => api.createContainers([{ name, network: 'small' }])));
  const ok = res.filter((r) => r.status === 'fulfilled').length;
  const failed = res.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  t.equal(ok, 13, '13 succeed');
  t.equal(failed.length, 7, '7 fail');
  t.ok(failed.every((f) => /^address range exhausted/.test(f.reason.message) && f.reason.exitCode === 2), 'with "address range exhausted", exit 2');
  const state = await api.readState();
  t.equal(Object.keys(state.containers).length, 13, 'only the 13 are recorded');
  t.equal((await sb.cli(['check'])).code, 0, 'the 13 are whole');
  t.match((await sb.cli(['gc'])).stdout, 'nothing to collect', 'the 7 left nothing behind');
  t.equal((await sb.snapshot() as { netns: string[] }).netns.filter((n) => n.startsWith(sb.name('s'))).length, 13);
  await api.removeContainers(names);
  await api.removeNetworks(['small']);
});

t.test('events stream what changes, as lines or JSON', async (t) => {
  const lines: string[] = [];
  const child = execa('nsenter', [`--net=/run/netns/${sb.host}`, 'node', CLI, '--socket', sb.socket, '--state-dir', sb.stateDir, '--json', 'events'], { reject: false, buffer: false });
  child.stdout!.on('data', (d) => lines.push(...String(d).split('\n').filter(Boolean)));
  await new Promise((r) => setTimeout(r, 500));
  const c = sb.name('e');
  await sb.cli(['network', 'create', 'ev', '--subnet', '10.214.3.0/24']);
  await sb.cli(['container', 'create', c, '--network', 'ev']);
  await sb.cli(['container', 'rm', c]);
  await sb.cli(['network', 'rm', 'ev']);
  await new Promise((r) => setTimeout(r, 300));
  child.kill('SIGINT');
  await child;
  const ev = lines.map((l) => JSON.parse(l) as { type: string; name: string });
  // The embedded DNS server tells which names came and went, after the change that made them.
  t.same(ev.map((e) => `${e.type} ${e.name}`), ['network.created ev', `container.created ${c}`, `dns.registered ${c}`, `container.removed ${c}`, `dns.removed ${c}`, 'network.removed ev']);
});

t.test('while nslabd runs, an in-process nslab never writes behind its back', async (t) => {
  // A CLI given another socket path finds nslabd by the state directory's nslabd.pid and goes through it.
  const via = await sb.cli(['--socket', '/nonexistent/nslab.sock', 'network', 'create', 'behind', '--subnet', '10.214.4.0/24'], { NSLAB_LOCK_WAIT: '1' });
  t.equal(via.code, 0, via.stderr);
  t.equal(via.stderr, `nslab: note: nslabd serves ${sb.stateDir} on ${sb.socket}, not on /nonexistent/nslab.sock: going through it`);
  t.match(sb.daemonLog, /"verb":"createNetwork","network":"behind"/, 'nslabd made it');
  t.equal((await sb.cli(['network', 'rm', 'behind'])).code, 0);
  // Without that record (an nslabd older than it), the CLI falls back in-process and must wait for the lock.
  const pid = readFileSync(join(sb.stateDir, 'nslabd.pid'));
  rmSync(join(sb.stateDir, 'nslabd.pid'));
  t.teardown(() => writeFileSync(join(sb.stateDir, 'nslabd.pid'), pid));
  const before = await sb.snapshot();
  const r = await sb.cli(['--socket', '/nonexistent/nslab.sock', 'network', 'create', 'behind', '--subnet', '10.214.4.0/24'], { NSLAB_LOCK_WAIT: '1' });
  t.equal(r.code, 1);
  t.match(r.stderr, /could not lock .* another nslab is working/);
  t.same(await sb.snapshot(), before, 'nothing changed');
});

t.test('ls and inspect have endpoints of their own, Docker-shaped', async (t) => {
  const get = (path: string) => new Promise<any>((res, rej) => {
    request({ socketPath: sb.socket, path }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d)).on('end', () => res(JSON.parse(body)));
    }).on('error', rej).end();
  });
  await sb.cli(['network', 'create', 'views', '--subnet', '10.214.5.0/24']);
  await sb.cli(['container', 'create', sb.name('v'), '--network', 'views']);
  const nets = (await get('/v1/networks')).result;
  t.ok(nets.some((n: any) => n.Name === 'views' && n.IPAM.Config[0].Subnet === '10.214.5.0/24'), 'GET /v1/networks');
  const ctr = (await get(`/v1/containers/${sb.name('v')}`)).result;
  t.equal(ctr.NetworkSettings.Networks.views.IPAddress, '10.214.5.2', 'GET /v1/containers/NAME');
  t.same((await get('/v1/containers/nope')).error, { kind: 'not-found', message: 'container: no such container "nope"', exitCode: 2 });
  await sb.cli(['container', 'rm', sb.name('v')]);
  await sb.cli(['network', 'rm', 'views']);
});

t.test('events without nslabd: said plainly', async (t) => {
  await sb.stopDaemon();
  const r = await sb.cli(['events']);
  t.equal(r.code, 2, 'refused input: exit 2');
  t.match(r.stderr, /^nslab: events: nslabd must run to stream events, and nothing answers on \S+: start it \(sudo systemctl start nslabd\)$/, 'one line');
});
