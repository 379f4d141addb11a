// The Vagrantfile must pass `vagrant validate` (Debian's vagrant: scripts/install-test-deps.sh, run by `npm test`),
// give the VM a LAN and a supported Node, and Vagrant's own .vagrant/ folder stays out of the repo.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/sandbox.js';

t.test('vagrant validate', async (t) => {
  const have = await execa('sh', ['-c', 'command -v vagrant'], { reject: false });
  t.equal(have.exitCode, 0, 'vagrant is installed (scripts/install-test-deps.sh installs it)');
  const v = await execa('vagrant', ['validate'], { cwd: ROOT, reject: false, env: { VAGRANT_CHECKPOINT_DISABLE: '1' } });
  t.equal(v.exitCode, 0, String(v.stderr));
  t.match(String(v.stdout), /validated successfully/);
  t.equal(String(v.stderr).trim(), '', 'no warnings');
});

t.test('the VM: a private network, Node 22 LTS', async (t) => {
  const vf = readFileSync(join(ROOT, 'Vagrantfile'), 'utf8');
  t.match(vf, /^\s*config\.vm\.network "private_network", ip: "192\.168\.56\.\d+"$/m, 'a host-only LAN the labs can use');
  t.match(vf, /rsync__exclude: \[[^\]]*"\.vagrant\/"/, 'the rsync copy leaves .vagrant/ behind');
  const prov = readFileSync(join(ROOT, 'scripts', 'provision.sh'), 'utf8');
  t.match(prov, /deb\.nodesource\.com\/node_22\.x /, 'NodeSource: Node 22');
  t.notMatch(prov, /node_20\.x/, 'not Node 20 (end of life April 2026)');
  t.match(prov, /Candidate.*-ge 22 \]/, "the distribution's nodejs only when it is 22 or newer");
});

t.test('.vagrant/ is ignored and not in the repo', async (t) => {
  const git = await execa('git', ['ls-files', '--', '.vagrant'], { cwd: ROOT, reject: false });
  t.equal(git.exitCode, 0, String(git.stderr));
  t.equal(git.stdout.trim(), '', 'no tracked file under .vagrant/');
  const ignored = await execa('git', ['check-ignore', '-q', '--no-index', '.vagrant/machines/default/virtualbox/id'], { cwd: ROOT, reject: false });
  t.equal(ignored.exitCode, 0, '.gitignore covers .vagrant/');
});
