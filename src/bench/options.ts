// What a bench run measures: sizes and repetitions from the command line and the environment.
// Pure: reads only the argv and env it is given.

export interface BenchOptions {
  /** Containers in each lab file timed with `nslab up` / `down` (one figure pair per size). */
  sizes: number[];
  /** Alternating repetitions of each up / down, nslab against the floor. */
  reps: number;
  /** Interleaved runs of the CLI start-up and of a bare `node -e ''`. */
  startupReps: number;
  /** Single `container create` requests timed through nslabd (and single creates of the floor). */
  single: number;
  /** Containers nslabd holds when its RSS is read. */
  rssContainers: number;
  /** Most rounds of the publish figure, added ten at a time while its bound is undecided (at least its 11). */
  publishMax: number;
  /** Prefix of every machine-wide name the run makes (namespaces, /etc/netns entries). */
  prefix: string;
  /** The parts measured, in the order they run (default: all). */
  only: Part[];
  check: boolean;
  markdown: boolean;
  help: boolean;
}

/**
 * The parts of a run, in the order they run: publishing and DNS first, before the 100s of
 * namespaces of the other parts are being freed by the kernel in the background (that slows
 * every create and moves the DNS servers' p99).
 */
export const PARTS = ['startup', 'publish', 'dns', 'lab', 'daemon'] as const;
export type Part = (typeof PARTS)[number];

export const USAGE = `usage: npm run bench -- [--check] [--markdown] [--quick] [--sizes 100,200] [--reps 5]
                      [--startup-reps 11] [--single 20] [--rss 1000] [--publish-max 61]
                      [--only startup,publish,dns,lab,daemon]
  env: BENCH_SIZES, BENCH_REPS, BENCH_STARTUP_REPS, BENCH_SINGLE, BENCH_RSS, BENCH_PUBLISH_MAX,
       BENCH_PREFIX (default nslb-)
  --check     exit 1 when a figure is over its bound (else the exit code is 0 whatever the figures)
  --markdown  also print the figures as a Markdown table
  --quick     small sizes to try it out: 20/40 containers, 3 reps, 200 for the RSS figure,
              the publish figure's 11 rounds and no more
  --publish-max  most rounds of the publish figure (at least 11, ten more at a time while
              its 95 % interval leaves the bound undecided)
  --only      just these parts (dns: nslabd's embedded DNS against dnsmasq; daemon: nslabd's
              create and RSS figures)`;

function count(field: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${field}: expected a whole number >= ${min}, got '${v}'`);
  return n;
}

/**
 * The options of a run: defaults, then `--quick`, then the environment, then flags (the last
 * word wins). Throws an Error naming the flag on bad input.
 */
export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>): BenchOptions {
  const quick = argv.includes('--quick');
  const o: BenchOptions = {
    sizes: quick ? [20, 40] : [100, 200],
    reps: quick ? 3 : 5,
    startupReps: quick ? 5 : 11,
    single: 20,
    rssContainers: quick ? 200 : 1000,
    publishMax: quick ? 11 : 61,
    prefix: 'nslb-',
    only: [...PARTS],
    check: false,
    markdown: false,
    help: false,
  };
  const set: Record<string, (v: string) => void> = {
    sizes: (v) => (o.sizes = v.split(',').map((s) => count('sizes', s.trim(), 1))),
    reps: (v) => (o.reps = count('reps', v, 1)),
    'startup-reps': (v) => (o.startupReps = count('startup-reps', v, 1)),
    single: (v) => (o.single = count('single', v, 1)),
    rss: (v) => (o.rssContainers = count('rss', v, 1)),
    'publish-max': (v) => (o.publishMax = count('publish-max', v, 11)),
    only: (v) => {
      const parts = v.split(',').map((x) => x.trim());
      const bad = parts.find((x) => !(PARTS as readonly string[]).includes(x));
      if (bad !== undefined) throw new Error(`only: '${bad}' is not a part (${PARTS.join(', ')})`);
      o.only = PARTS.filter((x) => parts.includes(x));
    },
    prefix: (v) => {
      // The prefix becomes namespace and veth names: short, and nothing a shell or ip would read.
      if (!/^[a-z][a-z0-9-]{0,5}$/.test(v)) throw new Error(`prefix: expected 1-6 of a-z 0-9 -, starting with a letter, got '${v}'`);
      o.prefix = v;
    },
  };
  for (const [k, f] of Object.entries(set)) {
    const v = env[`BENCH_${k.replace('-', '_').toUpperCase()}`];
    if (v !== undefined && v !== '') f(v);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') continue;
    else if (a === '--check') o.check = true;
    else if (a === '--markdown') o.markdown = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else if (a.startsWith('--') && set[a.slice(2).split('=')[0]!]) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${k}: missing value`);
      set[k]!(v);
    } else throw new Error(`unknown argument '${a}'\n${USAGE}`);
  }
  return o;
}
