// One lesson of examples/ proven in a sandbox: its lab file up, the lesson's point on the kernel,
// its README's commands as typed, nothing left to do (check, plan FILE, check FILE), down, nothing left.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import { execa } from 'execa';
import { parse } from 'yaml';
import { ROOT, type RunResult, type Sandbox } from './sandbox.js';

export interface ExampleLab {
  /** The folder name under examples/ (the lesson). */
  lesson: string;
  /** The lab file the sandbox uses: the example's, its container names made the sandbox's own. */
  file: string;
  /** Rewrite text of the example (a command, a name) the same way. */
  own: (s: string) => string;
}

/**
 * Copy examples/LESSON/lab.yaml into the sandbox's state directory with every container name
 * given the sandbox's tag (namespaces and /etc/netns are machine-wide; networks and bridges live
 * in the sandbox's own host namespace and keep their names). Writes only that copy.
 * With `dns`, every container on a network also gets `dns: [IP]` (see below).
 */
export function exampleLab(sb: Sandbox, lesson: string, opts: { dns?: string } = {}): ExampleLab {
  const text = readFileSync(join(ROOT, 'examples', lesson, 'lab.yaml'), 'utf8');
  const names = Object.keys((parse(text) as { containers?: Record<string, unknown> }).containers ?? {});
  const word = new RegExp(`(?<![\\w.-])(${names.map((n) => n.replace(/[.]/g, '\\.')).join('|')})(?![\\w-])`, 'g');
  const own = (s: string) => (names.length ? s.replace(word, (n) => sb.name(n)) : s);
  const file = join(sb.stateDir, `${lesson}.yaml`);
  // `dns`: each container on a network asks this server after the gateway. A name its hosts
  // file lacks (getent hosts asks for IPv6 first) would otherwise go to this machine's
  // resolvers, which the sandbox's world drops: 5 s per try. A closed port answers at once.
  const dns = opts.dns ? (s: string) => s.replace(/(\n {4}networks?: .*\n)/g, `$1    dns: [${opts.dns}]\n`) : (s: string) => s;
  writeFileSync(file, dns(own(text)));
  return { lesson, file, own };
}

/** The command lines of the first ```sh block of examples/LESSON/README.md, comments dropped. */
export function readmeCommands(lesson: string): string[] {
  const md = readFileSync(join(ROOT, 'examples', lesson, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(md)?.[1] ?? '';
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

/** A command line split as a shell would split these simple ones: words, '…' and "…". */
export function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/**
 * Run one README line (`sudo nslab …`, `sudo ip …`, `sudo curl …`) inside the sandbox's host,
 * as a student types it on theirs: the lab file's path becomes the sandbox's copy.
 */
export async function runAsTyped(sb: Sandbox, lab: ExampleLab, line: string): Promise<RunResult> {
  const argv = words(lab.own(line)).map((w) => (w === `examples/${lab.lesson}/lab.yaml` ? lab.file : w));
  if (argv[0] !== 'sudo') throw new Error(`README line without sudo: ${line}`);
  if (argv[1] === 'nslab') return sb.cli(argv.slice(2));
  const r = await execa('nsenter', [`--net=/run/netns/${sb.host}`, ...argv.slice(1)], { reject: false, env: { LC_ALL: 'C' }, timeout: 20000 });
  return { code: typeof r.exitCode === 'number' ? r.exitCode : 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export interface ProveOptions {
  /** The lesson's own point, proven on the kernel while the lab is up. */
  prove?: (t: Test) => Promise<void>;
  /** Before `down` (stop the servers a proof started: a live process keeps its namespace). */
  beforeDown?: () => Promise<void>;
}

/** The sandbox host's state that a lab's down must restore, compared as a whole. */
async function state(sb: Sandbox): Promise<Record<string, unknown> & { links: string[]; netns: string[]; etc: string[]; iptables: string }> {
  const s = await sb.snapshot() as Record<string, unknown> & { links: Array<{ ifname: string; kind?: string; master?: string }>; netns: string[]; etc: string[]; iptables: string };
  return { ...s, links: s.links.map((l) => `${l.ifname} ${l.kind ?? ''} ${l.master ?? ''}`.trim()) };
}

/**
 * The whole life of one example in a sandbox, each step a subtest: `up FILE` succeeds; the
 * lesson's proof; every command of its README runs as typed (exit 0); `check` (the records)
 * exits 0; `plan FILE --detailed-exitcode` has nothing to do and `check FILE` (the grader) passes;
 * `down FILE` succeeds and leaves the sandbox's host exactly as before `up`: its links,
 * addresses, routes, rules and forwarding, no namespace and no /etc/netns entry with the tag.
 */
export async function proveExample(t: Test, sb: Sandbox, lab: ExampleLab, opts: ProveOptions = {}): Promise<void> {
  const before = await state(sb);
  await t.test(`nslab up examples/${lab.lesson}/lab.yaml`, async (t) => {
    const up = await sb.cli(['up', lab.file]);
    t.equal(up.code, 0, up.stderr);
  });
  if (opts.prove) await t.test('the lesson, on the kernel', opts.prove);
  await t.test('its README commands run as typed', async (t) => {
    const lines = readmeCommands(lab.lesson).filter((l) => !/^sudo nslab (up|down) /.test(l));
    t.ok(lines.length >= 3, `${lines.length} commands to look with`);
    for (const line of lines) {
      const r = await runAsTyped(sb, lab, line);
      t.equal(r.code, 0, r.stderr ? `${line}: ${r.stderr}` : line);
    }
  });
  await t.test('nothing to do: check, plan FILE, check FILE', async (t) => {
    const check = await sb.cli(['check']);
    t.equal(check.code, 0, `nslab check: ${check.stdout}${check.stderr}`);
    const plan = await sb.cli(['plan', lab.file, '--detailed-exitcode']);
    t.equal(plan.code, 0, `nslab plan FILE --detailed-exitcode: nothing to do: ${plan.stdout}${plan.stderr}`);
    const graded = await sb.cli(['check', lab.file]);
    t.equal(graded.code, 0, `nslab check FILE: ${graded.stdout}${graded.stderr}`);
  });
  await t.test('nslab down leaves nothing', async (t) => {
    await opts.beforeDown?.();
    const down = await sb.cli(['down', lab.file]);
    t.equal(down.code, 0, down.stderr);
    const after = await state(sb);
    t.same(after.links, before.links, 'only the sandbox\'s own links');
    t.same(after.netns, [], 'no namespace of the lab');
    t.same(after.etc, [], 'no /etc/netns entry of the lab');
    t.same(after.iptables, before.iptables, 'no NSLAB rule left for the lab');
    t.same(after, before, 'the host as before up');
  });
}
