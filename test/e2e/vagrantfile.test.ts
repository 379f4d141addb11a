// The Vagrantfile must pass `vagrant validate` (Debian's vagrant is installed when missing).
import t from 'tap';
import { execa } from 'execa';
import { ROOT } from '../helpers/sandbox.js';

const have = await execa('sh', ['-c', 'command -v vagrant'], { reject: false });
if (have.exitCode !== 0) {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await execa('apt-get', ['update', '-qq'], { env, reject: false });
  const r = await execa('apt-get', ['install', '-y', '-qq', 'vagrant'], { env, reject: false });
  t.equal(r.exitCode, 0, `apt-get install vagrant: ${String(r.stderr).slice(-500)}`);
}
const v = await execa('vagrant', ['validate'], { cwd: ROOT, reject: false, env: { VAGRANT_CHECKPOINT_DISABLE: '1' } });
t.equal(v.exitCode, 0, String(v.stderr));
t.match(String(v.stdout), /validated successfully/);
