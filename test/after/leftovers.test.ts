// Runs after every other test file: nothing the suite made may be left on this machine —
// namespaces, /etc/netns entries, links, iptables chains, mounts or processes.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Every sandbox tag the test files use (`sandbox('xx')`), read from the files themselves. */
function sandboxTags(): string[] {
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

const tags = sandboxTags();
t.ok(tags.length >= 10, `found the sandbox tags of the test files (${tags.join(' ')})`);
const tagged = (n: string) => /^nslt-/.test(n) || /^nslb-/.test(n) || tags.some((g) => n.startsWith(g));

const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
t.same(netns.filter(tagged), [], 'no sandbox or test-container namespaces left');
const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns') : [];
t.same(etc.filter((n) => tagged(n) || n.startsWith('container')), [], 'no /etc/netns entries left');

const links = JSON.parse((await execa('ip', ['-json', 'link', 'show'])).stdout) as Array<{ ifname: string; ifalias?: string }>;
t.same(links.filter((l) => l.ifname.startsWith('nv-') || l.ifname.startsWith('nslab') || l.ifalias?.startsWith('nslab:')).map((l) => l.ifname), [],
  'no nslab links in the root namespace');

const save = await execa('iptables-save', [], { reject: false });
t.same((save.stdout ?? '').split('\n').filter((l) => /NSLAB|nslab/.test(l)), [], 'no nslab chains or rules in the root namespace');

const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / \/run\/netns\/\S+ /.test(l));
t.same(mounts.filter((l) => tagged(/ \/run\/netns\/(\S+) /.exec(l)![1]!)), [], 'no namespace mounts of the tests left');

// Processes started from this checkout (nslabd, test servers, nslab itself), other than this one.
const mine = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid && Number(p) !== process.ppid).flatMap((p) => {
  try {
    const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
    return cmd.includes(join(ROOT, 'dist')) || /nslt-[a-z0-9]+-[hw]/.test(cmd) ? [`${p}: ${cmd.trim()}`] : [];
  } catch {
    return [];
  }
});
t.same(mine, [], 'no process of the tests is still running');
