// The whole-process figures: the CLI's start-up against a bare node, and `nslab up` / `down` of
// a lab file against the bash floor doing the same work, each inside its own throw-away host.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type Scratch } from './run.js';
import { median, type Figure } from './stats.js';

export interface Ctx {
  scratch: Scratch;
  /** The checkout: dist/nslab.js, dist/nslabd.js and scripts/bench-floor.sh under it. */
  root: string;
  say: (line: string) => void;
}

/**
 * CLI start-up: `nslab container ls` with no daemon and an empty state, against `node -e ''`,
 * interleaved. A read command: changes nothing on the host; its scratch state goes with cleanup.
 */
export async function startup(ctx: Ctx, reps: number): Promise<Figure> {
  const dir = ctx.scratch.dir();
  const cli = ['node', join(ctx.root, 'dist', 'nslab.js'), 'container', 'ls', '--state-dir', join(dir, 'state'), '--socket', join(dir, 'none.sock')];
  const nslab: number[] = [], bare: number[] = [];
  // One of each untimed first: the file cache is then warm for both.
  await run(cli);
  await run(['node', '-e', '']);
  for (let i = 0; i < reps; i++) {
    ctx.say(`CLI start-up: run ${i + 1}/${reps}`);
    nslab.push((await run(cli)).ms);
    bare.push((await run(['node', '-e', ''])).ms);
  }
  return { name: 'CLI start-up (container ls)', unit: 'ms', nslab: median(nslab), baseline: median(bare), bound: { on: 'ratio', max: 1.6 } };
}

/** A lab file of one network (10.240.0.0/16) and n containers named PREFIX+'n'+i on it (pure). */
export function labFile(prefix: string, n: number): string {
  const lines = ['networks:', '  bench:', '    subnet: 10.240.0.0/16', 'containers:'];
  for (let i = 0; i < n; i++) lines.push(`  ${prefix}n${i}:`, '    network: bench');
  return lines.join('\n') + '\n';
}

/**
 * `nslab up` and `nslab down` of an n-container lab file, whole process, against the floor's up
 * and down, each side in its own host namespace; alternating which side goes first, and waiting
 * outside the timing until the kernel has removed the previous round's veths. Each round's down
 * removes what its up made: the two host namespaces are empty again when this returns.
 */
export async function lab(ctx: Ctx, n: number, reps: number): Promise<Figure[]> {
  const { scratch, root, say } = ctx;
  const dir = scratch.dir();
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, labFile(scratch.prefix, n));
  const nh = await scratch.host(`nh${n}`);
  const fh = await scratch.host(`fh${n}`);
  const nslab = (verb: string) => ['nsenter', `--net=/run/netns/${nh}`, 'node', join(root, 'dist', 'nslab.js'),
    '--state-dir', join(dir, 'state'), '--socket', join(dir, 'none.sock'), verb, file];
  const floor = (verb: string) => ['nsenter', `--net=/run/netns/${fh}`, 'bash', join(root, 'scripts', 'bench-floor.sh'), verb, String(n), scratch.prefix, dir];
  const sides = [{ name: 'nslab', ns: nh, argv: nslab }, { name: 'floor', ns: fh, argv: floor }];
  const t = { nslab: { up: [] as number[], down: [] as number[] }, floor: { up: [] as number[], down: [] as number[] } };
  for (let r = 0; r < reps; r++) {
    const order = r % 2 ? [...sides].reverse() : sides;
    for (const verb of ['up', 'down'] as const) {
      for (const s of order) {
        say(`${verb} ${n}: round ${r + 1}/${reps}, ${s.name}`);
        t[s.name as 'nslab' | 'floor'][verb].push((await run(s.argv(verb))).ms);
        if (verb === 'down') await scratch.settle(s.ns);
      }
    }
  }
  return (['up', 'down'] as const).map((verb) => ({
    name: `${verb} ${n} containers`, unit: 'ms' as const, nslab: median(t.nslab[verb]), baseline: median(t.floor[verb]), bound: { on: 'ratio' as const, max: 1.0 },
  }));
}
