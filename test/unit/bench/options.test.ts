// A bench run's options: defaults, --quick, environment, flags (the last word wins), bad input refused.
import t from 'tap';
import { parseOptions } from '../../../src/bench/options.js';
import { labFile } from '../../../src/bench/measure-cli.js';
import { rssMb } from '../../../src/bench/measure-daemon.js';

t.test('defaults are the issue\'s sizes; --quick makes them small', async (t) => {
  t.match(parseOptions([], {}), { sizes: [100, 200], reps: 5, startupReps: 11, single: 20, rssContainers: 1000, publishMax: 61, prefix: 'nslb-', check: false, markdown: false });
  t.match(parseOptions(['--quick'], {}), { sizes: [20, 40], reps: 3, rssContainers: 200, publishMax: 11 });
  t.match(parseOptions(['--check', '--markdown'], {}), { check: true, markdown: true });
});

t.test('environment over --quick, flags over the environment', async (t) => {
  const env = { BENCH_SIZES: '4', BENCH_REPS: '1', BENCH_RSS: '10', BENCH_SINGLE: '2', BENCH_STARTUP_REPS: '3', BENCH_PREFIX: 'bhx-' };
  t.match(parseOptions(['--quick'], env), { sizes: [4], reps: 1, rssContainers: 10, single: 2, startupReps: 3, prefix: 'bhx-' });
  t.match(parseOptions(['--reps', '7', '--sizes=10,30'], env), { reps: 7, sizes: [10, 30] });
  t.match(parseOptions([], { BENCH_REPS: '' }), { reps: 5 }, 'an empty variable is unset');
  t.match(parseOptions(['--quick', '--publish-max', '31'], {}), { publishMax: 31 });
  t.match(parseOptions([], { BENCH_PUBLISH_MAX: '21' }), { publishMax: 21 });
});

t.test('bad input names the option', async (t) => {
  t.throws(() => parseOptions(['--reps', '0'], {}), /^reps: expected a whole number >= 1/);
  t.throws(() => parseOptions(['--sizes', '10,x'], {}), /^sizes:/);
  t.throws(() => parseOptions(['--reps'], {}), /reps: missing value/);
  t.throws(() => parseOptions(['--publish-max', '5'], {}), /^publish-max: expected a whole number >= 11/, 'fewer than the figure\'s fewest rounds');
  t.throws(() => parseOptions(['--bogus'], {}), /unknown argument '--bogus'/);
  t.throws(() => parseOptions([], { BENCH_PREFIX: 'a b' }), /^prefix:/, 'a prefix a shell or ip could misread');
  t.throws(() => parseOptions([], { BENCH_PREFIX: 'toolongprefix' }), /^prefix:/, 'a prefix that would overflow a veth name');
  t.throws(() => parseOptions(['--only', 'publish,dnz'], {}), /^only: 'dnz' is not a part/);
});

t.test('--only picks parts and keeps the run order (publishing before the parts that leave namespaces to free)', async (t) => {
  t.same(parseOptions([], {}).only, ['startup', 'publish', 'dns', 'lab', 'daemon']);
  t.same(parseOptions(['--only', 'daemon,publish'], {}).only, ['publish', 'daemon']);
  t.same(parseOptions(['--only', 'daemon,dns'], {}).only, ['dns', 'daemon'], 'DNS before the parts that leave namespaces to free');
  t.same(parseOptions([], { BENCH_ONLY: 'lab' }).only, ['lab']);
});

t.test('the lab file: one /16 network, n containers with the prefix', async (t) => {
  const y = labFile('bhx-', 2);
  t.equal(y, 'networks:\n  bench:\n    subnet: 10.240.0.0/16\ncontainers:\n  bhx-n0:\n    network: bench\n  bhx-n1:\n    network: bench\n');
});

t.test('RSS from /proc/PID/status', async (t) => {
  t.equal(rssMb('Name:\tnode\nVmPeak:\t 1 kB\nVmRSS:\t   51200 kB\nThreads: 7\n'), 50);
  t.throws(() => rssMb('Name:\tnode\n'), /no VmRSS/);
});
