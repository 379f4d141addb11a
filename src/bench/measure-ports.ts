// Publish scaling: the time to publish one more port on a host that holds 500 published ports,
// against the same on a host that holds 5, each side in its own throw-away host namespace.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from './measure-cli.js';
import { run, sleep } from './run.js';
import { median, pairedInterval, withinMargin, type Figure } from './stats.js';

/** Published ports already on the "big" and the "small" host before each timed publish. */
export const PORTS_BIG = 500;
export const PORTS_SMALL = 5;
/** Fewest alternating rounds of the publish figure, whatever --reps says. */
export const PUBLISH_MIN_REPS = 11;
/**
 * The publish figure's margin: its ok says the median ratio was shown below 1.0 + this (3 % of a
 * `container create`, ~10 ms here) and could not be told from 1.0. A growth of about half of it
 * can pass unseen, and the ~1 % measured does: the kernel's table validation (~1-2 ms, the
 * "iptables-restore alone" line) and nslab's in-memory check of every recorded mapping (~1 ms
 * for 500; README, "The publish figure").
 */
export const PUBLISH_TOLERANCE = 0.03;
/** The publish figure's bound: the ratio's 95 % interval reaches 1.0 and ends by 1.0 + PUBLISH_TOLERANCE. */
export const PUBLISH_BOUND = { on: 'ratio', max: 1.0, tolerance: PUBLISH_TOLERANCE } as const;

/** Wait until the host namespace holds `veths` veths again (the holder's): namespace deletion is lazy. */
async function settled(ns: string, veths: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await run(['ip', '-n', ns, '-o', 'link', 'show', 'type', 'veth'])).stdout.trim().split('\n').length > veths) {
    if (Date.now() > deadline) throw new Error(`veths of ${ns} still there after 60 s`);
    await sleep(20);
  }
}

/**
 * Each host gets a network and one container publishing `held` ports (a range: 4 rules a
 * mapping, so 2000 rules on the big host); then, alternating which host goes first, `nslab
 * container create` of a container publishing one port is timed, and the container removed
 * outside the timing. No rule scan may grow with the table: the ratio is held to 1.0, judged on
 * its 95 % interval (see `Bound`), with rounds added ten at a time until the bound holds or
 * `most` rounds are run (`nextReps`). Every object lives in the two host namespaces, which the
 * run's cleanup deletes.
 */
export async function publishScaling(ctx: Ctx, reps: number, most: number): Promise<Figure[]> {
  // Two timings of ~350 ms that differ by a few ms of node start-up noise: more rounds than the
  // other figures (a round is about a second).
  reps = Math.min(Math.max(reps, PUBLISH_MIN_REPS), most);
  const { scratch, root, say } = ctx;
  const dir = scratch.dir();
  const sides = await Promise.all([['big', PORTS_BIG], ['small', PORTS_SMALL]].map(async ([name, held]) => {
    // Names of one length on both sides: a container name too long for its veth name (IFNAMSIZ)
    // is hashed, and loading node:crypto for it cost the "small" side ~5 ms a create (~1.5 %:
    // 0.97-0.99x with 5 ports on both hosts, before the names were evened out).
    const tag = (name as string)[0]!;
    const ns = await scratch.host(`p${tag}`);
    const state = join(dir, `state-${name}`);
    const cli = (...args: string[]) => ['nsenter', `--net=/run/netns/${ns}`, 'node', join(root, 'dist', 'nslab.js'), '--state-dir', state, '--socket', join(dir, 'none.sock'), ...args];
    // Container names are machine-wide (/run/netns): each host has its own.
    return { name: name as string, held: held as number, ns, cli, times: [] as number[], holder: `${scratch.prefix}h${tag}`, one: `${scratch.prefix}o${tag}` };
  }));
  const [big, small] = sides as [typeof sides[0], typeof sides[0]];
  for (const s of sides) {
    say(`publish: ${s.held} ports on the ${s.name} host`);
    await run(s.cli('network', 'create', 'pub', '--subnet', '10.242.0.0/16'));
    await run(s.cli('container', 'create', s.holder, '--network', 'pub', '-p', `20000-${20000 + s.held - 1}:20000-${20000 + s.held - 1}`));
  }
  const ratios = () => big.times.map((ms, i) => ms / small.times[i]!);
  for (let r = 0; r < reps; r++) {
    for (const s of r % 2 ? [...sides].reverse() : sides) {
      say(`publish: one more port with ${s.held} published, round ${r + 1}/${reps}`);
      s.times.push((await run(s.cli('container', 'create', s.one, '--network', 'pub', '-p', '8080:80'))).ms);
      await run(s.cli('container', 'rm', s.one));
      await settled(s.ns, 1);
    }
    if (r === reps - 1) reps = nextReps(reps, most, ratios());
  }
  const floor = await kernelFloor(ctx, sides);
  for (const s of sides) {
    await run(s.cli('container', 'rm', s.holder));
    await run(s.cli('network', 'rm', 'pub'));
  }
  // Both hosts are timed once a round, so the rounds pair up: is the difference told from zero?
  const d = pairedInterval(big.times.map((ms, i) => ms - small.times[i]!));
  const q = pairedInterval(ratios());
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  return [
    {
      name: `publish 1 port with ${PORTS_BIG} published (vs ${PORTS_SMALL}), ${reps} rounds`, unit: 'ms', nslab: median(big.times), baseline: median(small.times),
      bound: PUBLISH_BOUND, interval: q,
    },
    { name: `publish: ${PORTS_BIG} - ${PORTS_SMALL}, paired rounds (95 %: ${signed(d.lo)} to ${signed(d.hi)} ms)`, unit: 'ms', nslab: d.median },
    floor,
  ];
}

/**
 * The rounds to run in all, after `reps` rounds whose paired ratios are `ratios`: `reps` when
 * their 95 % interval already holds the bound or `most` are run, else ten more (at most `most`).
 * An interval over the bound is not final before `most`: only the last one says OVER, so a run
 * is not failed on one of several looks. An ok may come at any look; it needs the interval to
 * end by 1.03, which one centred over 1.015 cannot while reaching 1.0.
 */
export function nextReps(reps: number, most: number, ratios: readonly number[]): number {
  if (reps >= most) return reps;
  return withinMargin(PUBLISH_BOUND, pairedInterval(ratios)) ? reps : Math.min(reps + 10, most);
}

type Side = { name: string; ns: string; one: string; cli: (...args: string[]) => string[] };

/**
 * The kernel's part of the figure above, for information: the rules `nslab container create`
 * wrote for the one port (read back from iptables-save by their comment), added by
 * `iptables-restore --noflush` alone and deleted again, alternating hosts. The nf_tables commit
 * validates the whole table it changes, so this grows with the rules already there whatever
 * the tool adding them does.
 */
async function kernelFloor(ctx: Ctx, sides: readonly Side[]): Promise<Figure> {
  const dir = ctx.scratch.dir();
  const files = await Promise.all(sides.map(async (s) => {
    await run(s.cli('container', 'create', s.one, '--network', 'pub', '-p', '8080:80'));
    const saved = (await run(['ip', 'netns', 'exec', s.ns, 'iptables-save'])).stdout;
    await run(s.cli('container', 'rm', s.one));
    const tables = new Map<string, string[]>();
    let table = '';
    for (const line of saved.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      else if (line.startsWith('-A ') && line.includes(`:ctr=${s.one}`)) (tables.get(table) ?? tables.set(table, []).get(table)!).push(line.slice(3));
    }
    if (!tables.size) throw new Error(`no rules of ${s.one} in the ${s.name} host's iptables-save`);
    const file = (op: string) => [...tables].map(([t, rules]) => [`*${t}`, ...rules.map((r) => `${op} ${r}`), 'COMMIT'].join('\n')).join('\n') + '\n';
    const add = join(dir, `${s.name}-add.rules`), del = join(dir, `${s.name}-del.rules`);
    writeFileSync(add, file('-A'));
    writeFileSync(del, file('-D'));
    return { s, add, del, times: [] as number[] };
  }));
  // ~30 ms a round, against a difference of ~1 ms: five times the fewest rounds of the figure above.
  const rounds = PUBLISH_MIN_REPS * 5;
  for (let r = 0; r < rounds; r++) {
    for (const f of r % 2 ? [...files].reverse() : files) {
      ctx.say(`publish: the same rules by iptables-restore alone on the ${f.s.name} host, round ${r + 1}/${rounds}`);
      f.times.push((await run(['ip', 'netns', 'exec', f.s.ns, 'iptables-restore', '--noflush', f.add])).ms);
      await run(['ip', 'netns', 'exec', f.s.ns, 'iptables-restore', '--noflush', f.del]);
    }
  }
  const [big, small] = files;
  return { name: 'publish: iptables-restore alone', unit: 'ms', nslab: median(big!.times), baseline: median(small!.times) };
}
