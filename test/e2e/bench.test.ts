// npm run bench at tiny sizes: it runs to the end, prints every figure, and leaves nothing behind,
// also when Ctrl-C stops it halfway. No timing is asserted: figures are for `--check` on a quiet machine.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/sandbox.js';

const PREFIX = 'bhx-';
const env = { ...process.env, BENCH_SIZES: '4', BENCH_REPS: '1', BENCH_STARTUP_REPS: '1', BENCH_SINGLE: '2', BENCH_RSS: '10', BENCH_PUBLISH_MAX: '11', BENCH_PREFIX: PREFIX };

function bench(args: string[], onErr?: (text: string, pid: number) => void): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('node', [join(ROOT, 'dist', 'bench', 'main.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      onErr?.(stderr, child.pid!);
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What a run with the test's prefix could leave: namespaces, /etc/netns entries, scratch dirs, processes (nslabd). */
function leftovers(): string[] {
  const mine = (d: string) => (existsSync(d) ? readdirSync(d).filter((n) => n.startsWith(PREFIX)).map((n) => join(d, n)) : []);
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${PREFIX}bench-`);
    } catch {
      return false;
    }
  }).map((p) => `pid ${p}`);
  return [...mine('/run/netns'), ...mine('/etc/netns'), ...mine(tmpdir()), ...procs];
}

t.test('a tiny run exits 0, prints every figure line and removes all it made', async (t) => {
  t.same(leftovers(), [], 'nothing with the prefix before');
  const r = await bench(['--quick', '--markdown']);
  if (!t.equal(r.code, 0, 'exit 0 whatever the figures')) t.comment(r.stderr);
  t.match(r.stdout, /^nslab bench \d{4}-\d\d-\d\dT.* on \d+ x .+, [\d.]+ GiB, Linux \S+, node v\d+/m, 'header: date and machine');
  const figures = ['CLI start-up \\(container ls\\)', 'up 4 containers', 'down 4 containers', 'nslabd container create',
    'nslabd RSS, 10 containers', 'nslabd up 10 containers', 'nslabd remove 10 containers', 'DNS queries/s, 4 clients', 'DNS p99 latency', 'DNS CPU per 1000 answers', 'publish 1 port with 500 published \\(vs 5\\), 11 rounds',
    'publish: 500 - 5, paired rounds \\(95 %: [-+][\\d.]+ to [-+][\\d.]+ ms\\)', 'publish: iptables-restore alone'];
  for (const f of figures) {
    t.match(r.stdout, new RegExp(`^${f} +nslab +-?[\\d.]+ (ms|MB|q/s) +baseline +([\\d.]+ (ms|MB|q/s)|-) +ratio +([\\d.]+x( \\(95 %: [\\d.]+-[\\d.]+\\))?|-) +(ratio [<>]= [\\d.]+|<= [\\d.]+ (ms|MB)|95 % interval reaches [\\d.]+, ends <= [\\d.]+|\\(info\\)) +(ok|OVER)$`, 'm'), `figure line: ${f}`);
    t.match(r.stdout, new RegExp(`^\\| ${f} \\|`, 'm'), `table row: ${f}`);
  }
  t.match(r.stdout, /^publish 1 port with 500 published .* ratio +[\d.]+x \(95 %: [\d.]+-[\d.]+\) +95 % interval reaches 1\.0, ends <= 1\.03 +(ok|OVER)$/m,
    'the publish figure: the ratio of its paired rounds with their 95 % interval, judged on the interval');
  t.match(r.stdout, /^\| figure \| nslab \| baseline \| ratio \| bound \|$/m, 'the Markdown table');
  t.same(leftovers(), [], 'no namespace, /etc/netns entry, scratch dir or nslabd left');
});

t.test('Ctrl-C while nslabd runs: the run stops and removes all it made, nslabd included', async (t) => {
  let sent = false;
  const r = await bench(['--quick'], (err, pid) => {
    if (!sent && /nslabd: single create/.test(err)) {
      sent = true;
      process.kill(pid, 'SIGINT');
    }
  });
  t.ok(sent, 'the run reached nslabd');
  t.equal(r.code, 130, 'exit 130 as after Ctrl-C');
  t.match(r.stderr, /SIGINT, removing what the run made/, 'says it is cleaning up');
  t.same(leftovers(), [], 'no namespace, /etc/netns entry, scratch dir or nslabd left');
});
