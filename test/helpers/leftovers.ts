// What the suite could leave on this machine, by kind: read before the first test file (what was
// already there, e.g. the example lab scripts/setup.sh brings up) and after the last one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** Where the before hook records what was there (tap's own folder, ignored by git). */
export const BASELINE = join(ROOT, '.tap', 'nslab-before.json');

/** Every sandbox tag the test files use (`sandbox('xx')`), read from the files themselves. */
export function sandboxTags(): string[] {
  const tags = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/sandbox\('([a-z0-9]{1,4})'\)/g)) tags.add(m[1]!);
    }
  };
  for (const d of ['test', 'examples']) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  return [...tags].sort();
}

export interface Leftovers {
  netns: string[];
  etc: string[];
  links: string[];
  rules: string[];
  mounts: string[];
  /** `PID: command line` of processes started from this checkout (nslabd, test servers, nslab), other than `self`. */
  procs: string[];
}

/** Everything of the kinds the suite checks, as it is now; `self`: PIDs not to count (the reading test). */
export async function readLeftovers(tags: readonly string[], self: readonly number[]): Promise<Leftovers> {
  const tagged = (n: string) => /^nslt-/.test(n) || /^nslb-/.test(n) || tags.some((g) => n.startsWith(g));
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns') : [];
  const links = JSON.parse((await execa('ip', ['-json', 'link', 'show'])).stdout) as Array<{ ifname: string; ifalias?: string }>;
  const save = await execa('iptables-save', [], { reject: false });
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / \/run\/netns\/\S+ /.test(l));
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && !self.includes(Number(p))).flatMap((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
      return cmd.includes(join(ROOT, 'dist')) || /nslt-[a-z0-9]+-[hw]/.test(cmd) ? [`${p}: ${cmd.trim()}`] : [];
    } catch {
      return [];
    }
  });
  return {
    netns: netns.filter(tagged),
    etc: etc.filter((n) => tagged(n) || n.startsWith('container')),
    links: links.filter((l) => l.ifname.startsWith('nv-') || l.ifname.startsWith('nslab') || l.ifalias?.startsWith('nslab:')).map((l) => l.ifname),
    rules: (save.stdout ?? '').split('\n').filter((l) => /NSLAB|nslab/.test(l)),
    mounts: mounts.filter((l) => tagged(/ \/run\/netns\/(\S+) /.exec(l)![1]!)).map((l) => / \/run\/netns\/(\S+) /.exec(l)![1]!),
    procs,
  };
}
