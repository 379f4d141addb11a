// The Vagrantfile must pass `vagrant validate` (Debian's vagrant: scripts/install-test-deps.sh, run by `npm test`).
import t from 'tap';
import { execa } from 'execa';
import { ROOT } from '../helpers/sandbox.js';

const have = await execa('sh', ['-c', 'command -v vagrant'], { reject: false });
t.equal(have.exitCode, 0, 'vagrant is installed (scripts/install-test-deps.sh installs it)');
const v = await execa('vagrant', ['validate'], { cwd: ROOT, reject: false, env: { VAGRANT_CHECKPOINT_DISABLE: '1' } });
t.equal(v.exitCode, 0, String(v.stderr));
t.match(String(v.stdout), /validated successfully/);
