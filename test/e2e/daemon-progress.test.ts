// Through nslabd, the terminal shows what in-process shows: the kernel commands at
// --log-level (JSON lines on a pipe, pretty on a terminal), progress on a terminal, each client
// only its own request's lines; errors keep their exit codes and nslabd keeps running.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, daemonStatus, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('dsp');
t.teardown(() => sb.down());
await sb.startDaemon();

/** A lab file of `n` containers named PREFIXi on network NET. */
function lab(net: string, subnet: string, prefix: string, n: number): string {
  const file = join(sb.stateDir, `${net}.yaml`);
  const names = Array.from({ length: n }, (_, i) => `  ${sb.name(`${prefix}${i}`)}:\n    network: ${net}\n`);
  writeFileSync(file, `networks:\n  ${net}:\n    subnet: ${subnet}\ncontainers:\n${names.join('')}`);
  return file;
}

/** The CLI on a pseudo-terminal (util-linux `script`): what a user at a terminal sees. */
async function onTerminal(args: string[]): Promise<{ code: number; out: string }> {
  const line = ['nsenter', `--net=/run/netns/${sb.host}`, 'node', CLI, '--state-dir', sb.stateDir, '--socket', sb.socket, ...args].map((a) => `'${a}'`).join(' ');
  const r = await execa('script', ['-qec', line, '/dev/null'], { reject: false, env: { LC_ALL: 'C', NO_COLOR: '1', TERM: 'xterm' } });
  return { code: typeof r.exitCode === 'number' ? r.exitCode : 1, out: String(r.stdout) };
}

/** The JSON log lines of a stderr (the rest: nslab's own lines). */
const logLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);

t.test('up of 20 containers, stderr a pipe, --log-level debug: the kernel commands reach the CLI', async (t) => {
  const file = lab('dspa', '10.240.0.0/24', 'a', 20);
  const r = await sb.cli(['--log-level', 'debug', 'up', file]);
  t.equal(r.code, 0, r.stderr);
  t.match(sb.daemonLog, /"verb":"up"/, 'the work ran in nslabd');
  t.match(r.stdout, new RegExp(`^container ${sb.name('a19')}`, 'm'), 'the usual output on stdout');
  const lines = logLines(r.stderr);
  const cmds = lines.filter((l) => l.msg === 'kernel command').map((l) => (l.argv as string[]).join(' '));
  t.ok(cmds.some((c) => c === 'ip -batch -' || c.startsWith('ip netns add')), 'a namespace-making command is in the transcript');
  t.ok(lines.some((l) => l.msg === 'kernel command' && l.level === 20), 'the reads (debug) are there too');
  t.ok(lines.some((l) => l.msg === 'kernel command' && (l.stdin as string | undefined)?.includes(`netns add ${sb.name('a0')}`)), 'with the batch fed to ip -batch');
  t.ok(lines.every((l) => l.verb === 'up'), 'every line is of this request');
  t.notOk(lines.some((l) => /request (done|failed)/.test(String(l.msg))), "nslabd's own bookkeeping stays in its log");
  t.notMatch(r.stderr, /applying/, 'no progress on a pipe, as in-process');
  const quiet = await sb.cli(['container', 'rm', sb.name('a19')]);
  t.same([quiet.code, quiet.stderr], [0, ''], 'at the default level (warn), nothing on stderr');
});

t.test('on a terminal: progress as one line, applying N/N, and the transcript pretty at --log-level info', async (t) => {
  const file = lab('dspb', '10.240.1.0/24', 'b', 20);
  const up = await onTerminal(['--log-level', 'info', 'up', file]);
  t.equal(up.code, 0, up.out.slice(-400));
  const steps = [...up.out.matchAll(/\r {2}applying (\d+)\/(\d+)(\r?\n)?/g)];
  t.ok(steps.length >= 20, `${steps.length} progress updates`);
  t.ok(steps.some((m) => m[1] === m[2] && Number(m[2]) >= 20), 'up to applying N/N');
  t.ok(steps.every((m) => (m[1] === m[2]) === !!m[3]), 'one line rewritten in place: a newline only after the last step');
  t.match(up.out, /INFO \(nslabd\): kernel command/, 'the kernel commands, as pino-pretty shows them');
  const down = await onTerminal(['down', file]);
  t.equal(down.code, 0, down.out.slice(-400));
  t.match(down.out, /\r {2}applying (\d+)\/\1\r?\n/, 'down shows its progress too');
  t.notMatch(down.out, /kernel command/, 'at warn, no transcript');
});

t.test('two clients at once: each sees only its own request\'s lines', async (t) => {
  const a = lab('dspc', '10.240.2.0/24', 'c', 20);
  const b = lab('dspd', '10.240.3.0/24', 'd', 20);
  const [ra, rb, rc] = await Promise.all([
    sb.cli(['--log-level', 'debug', 'up', a]),
    sb.cli(['--log-level', 'debug', 'up', b]),
    sb.cli(['up', lab('dspe', '10.240.4.0/24', 'e', 5)]),
  ]);
  for (const r of [ra, rb, rc]) t.equal(r.code, 0, r.stderr);
  t.match(ra.stderr, sb.name('c0'), 'the first client sees its containers made');
  t.match(rb.stderr, sb.name('d0'), 'the second too');
  t.notMatch(ra.stderr, new RegExp(`${sb.name('d')}\\d|dspd|${sb.name('e')}\\d`), 'nothing of the other requests');
  t.notMatch(rb.stderr, new RegExp(`${sb.name('c')}\\d|dspc|${sb.name('e')}\\d`), 'nothing of the other requests');
  t.equal(rc.stderr, '', 'the client at warn gets nobody\'s transcript');
});

t.test('errors in a streamed answer: same one-line message and exit code; a bad level is a 4xx; nslabd runs on', async (t) => {
  // A link of the wrong kind where the bridge should be: refused once the host has been read.
  await execa('ip', ['-n', sb.host, 'link', 'add', 'dspdum', 'type', 'veth', 'peer', 'name', 'dspdup']);
  t.teardown(() => execa('ip', ['-n', sb.host, 'link', 'del', 'dspdum']));
  const clash = ['network', 'create', 'dspz', '--subnet', '10.240.9.0/24', '--bridge', 'dspdum'];
  const plain = await sb.cli(clash);
  t.equal(plain.code, 2, 'refused (a plain answer: nothing asked to stream at warn)');
  t.match(plain.stderr, /^nslab: [^\n]*dspdum[^\n]*$/, 'in one line');
  const streamed = await sb.cli(['--log-level', 'debug', ...clash]);
  t.equal(streamed.code, plain.code, 'the same exit code from a streamed answer');
  t.ok(logLines(streamed.stderr).some((l) => l.msg === 'kernel command'), 'which did stream the reads before the refusal');
  t.same(streamed.stderr.split('\n').filter((l) => l && !l.startsWith('{')), [plain.stderr], 'and the same one line of nslab\'s own');
  const json = await sb.cli(['--json', '--log-level', 'debug', ...clash]);
  t.equal(json.code, plain.code);
  t.ok(logLines(json.stderr).at(-1)?.error?.kind, 'under --json the last line is the error with its kind');
  t.equal((await sb.cli(['--json', 'network', 'ls'])).stdout.includes('dspz'), false, 'nothing recorded');
  const raw = await new Promise<{ status?: number; body: string }>((res, rej) => {
    const req = request({ socketPath: sb.socket, method: 'POST', path: '/v1/gc?log=loud', headers: { 'content-type': 'application/json' } }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => res({ status: r.statusCode, body }));
    });
    req.on('error', rej).end('[]');
  });
  t.equal(raw.status, 400, 'an unknown log level: 400');
  t.match(JSON.parse(raw.body).error, { kind: 'invalid', field: 'log' });
  t.equal(await daemonStatus(sb.socket), 'ready', 'nslabd still answers');
  t.equal(sb.daemon?.exitCode, null, 'and runs');
});
