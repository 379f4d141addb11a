// README's first screen: the commands it shows exist, and its first steps with nslab work as typed (in a sandbox).
import t from 'tap';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sandbox } from '../helpers/sandbox.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = readme.slice(0, readme.indexOf('\n## ', readme.indexOf('## Start here') + 1));
/** The command lines of the fenced blocks of a piece of markdown, comments dropped. */
const commands = (md: string): string[] => [...md.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1]!.split('\n')).map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);

t.test('the first screen: what it is, set-up, tests, Vagrant', async (t) => {
  t.ok(readme.indexOf('## Start here') > 0 && readme.split('\n').findIndex((l) => l === '## Start here') < 12, 'Start here within the first lines');
  const cmds = commands(start);
  for (const c of ['sudo scripts/setup.sh', 'sudo npm test', 'vagrant up', 'vagrant ssh']) t.ok(cmds.includes(c), `shows \`${c}\``);
  t.doesNotThrow(() => accessSync(join(ROOT, 'scripts', 'setup.sh'), constants.X_OK), 'scripts/setup.sh is there and executable');
  t.ok(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.test, 'npm test is defined');
  t.ok(cmds.filter((c) => c.startsWith('sudo nslab ')).length >= 8, 'first steps with nslab, as a user types them');
  t.same(cmds.filter((c) => c.startsWith('nslab ')), [], 'no nslab command without sudo');
});

t.test('the first steps run as typed, on the example lab', async (t) => {
  const sb = await sandbox('hsr');
  t.teardown(() => sb.down());
  // The example lab's names, made this sandbox's own: namespaces and /etc/netns are machine-wide.
  const own = (s: string) => s.replace(/\bcontainer(\d)\b/g, (_, n: string) => sb.name(`c${n}`));
  const lab = join(sb.stateDir, 'docker0-by-hand.yaml');
  writeFileSync(lab, own(readFileSync(join(ROOT, 'examples', 'docker0', 'lab.yaml'), 'utf8')));
  const up = await sb.cli(['up', lab]);
  t.equal(up.code, 0, `what setup.sh does: nslab up examples/docker0/lab.yaml: ${up.stderr}`);
  const steps = commands(start.slice(start.indexOf('Then try'))).filter((c) => c.startsWith('sudo nslab '));
  t.ok(steps.length >= 8, `${steps.length} steps`);
  for (const line of steps) {
    const args = own(line).split(/\s+/).slice(2).map((w) => (w === 'examples/docker0/lab.yaml' ? lab : w));
    const r = await sb.cli(args);
    t.equal(r.code, 0, `${line}: ${r.stderr}`);
  }
  t.ok(await sb.ping(sb.name('c4'), '10.201.0.5').then((r) => r.code === 0), 'and the lab works at the end');
});
