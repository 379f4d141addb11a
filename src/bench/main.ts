// npm run bench: nslab's start-up, `up` / `down` of lab files, nslabd's single create and
// memory, and publishing one port among 500, each printed beside a baseline measured in the same run, with its ratio and bound.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemon } from './measure-daemon.js';
import { dns } from './measure-dns.js';
import { lab, startup, type Ctx } from './measure-cli.js';
import { parseOptions, USAGE, type BenchOptions, type Part } from './options.js';
import { publishScaling } from './measure-ports.js';
import { Scratch } from './run.js';
import { exitCode, figureLine, judge, markdownTable, type Figure, type Judged } from './stats.js';

/** The machine the figures were measured on, as the header line prints it. */
function machine(): string {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown CPU';
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const load = loadavg().map((x) => x.toFixed(2)).join(' ');
  return `${availableParallelism()} x ${cpu}, ${(memKb / 1048576).toFixed(1)} GiB, Linux ${release()}, node ${process.version}, load ${load}`;
}

let opts: BenchOptions;
try {
  opts = parseOptions(process.argv.slice(2), process.env);
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}

// dist/bench/main.js: the checkout is two folders up.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scratch = new Scratch(opts.prefix);
const tty = process.stderr.isTTY;
const say = (line: string) => process.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
const print = (line: string) => {
  if (tty) process.stderr.write('\r\x1b[K');
  process.stdout.write(`${line}\n`);
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`bench: ${sig}, removing what the run made\n`);
    scratch.cleanup();
    process.exit(130);
  });
}

const stale = scratch.leftovers();
if (stale.netns.length || stale.etc.length) {
  process.stderr.write(`bench: names with prefix '${opts.prefix}' exist already (${[...stale.netns, ...stale.etc].join(' ')}); another run? set BENCH_PREFIX\n`);
  process.exit(2);
}

print(`nslab bench ${new Date().toISOString()} on ${machine()}`);
print(`sizes ${opts.sizes.join('/')}, ${opts.reps} reps (median), start-up ${opts.startupReps} runs, ${opts.single} single creates, RSS at ${opts.rssContainers} containers, publish up to ${opts.publishMax} rounds`);
const ctx: Ctx = { scratch, root, say };
const judged: Judged[] = [];
const show = (fs: Figure[]) => {
  for (const f of fs.map(judge)) {
    judged.push(f);
    print(figureLine(f));
  }
};
try {
  const parts: Record<Part, () => Promise<void>> = {
    startup: async () => show([await startup(ctx, opts.startupReps)]),
    publish: async () => show(await publishScaling(ctx, opts.reps, opts.publishMax)),
    dns: async () => show(await dns(ctx)),
    lab: async () => {
      for (const n of opts.sizes) show(await lab(ctx, n, opts.reps));
    },
    daemon: async () => show(await daemon(ctx, opts.single, opts.rssContainers)),
  };
  for (const p of opts.only) await parts[p]();
} catch (e) {
  if (tty) process.stderr.write('\r\x1b[K');
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 2;
} finally {
  say('removing what the run made');
  scratch.cleanup();
  if (tty) process.stderr.write('\r\x1b[K');
}
if (process.exitCode !== 2) {
  if (opts.markdown) print(`\n${markdownTable(judged)}`);
  process.exitCode = exitCode(judged, opts.check);
}
