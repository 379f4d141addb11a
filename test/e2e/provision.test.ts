// scripts/provision.sh (what the Vagrantfile runs) on this machine kind: twice, the lab inside a sandbox.
import t from 'tap';
import { execa } from 'execa';
import { join } from 'node:path';
import { sandbox, ROOT } from '../helpers/sandbox.js';

const sb = await sandbox('pv');
t.teardown(() => sb.down());

for (const round of [1, 2]) {
  t.test(`provision.sh run ${round}`, async (t) => {
    const r = await execa('bash', [join(ROOT, 'scripts', 'provision.sh')], {
      reject: false, env: { NSLAB_NETNS: sb.host, NSLAB_STATE_DIR: sb.stateDir, CI: 'true' }, stdin: 'ignore',
    });
    t.equal(r.exitCode, 0, String(r.stderr).slice(-2000));
    t.match(String(r.stdout), /container container4: eth0 10\.201\.0\.4\/24/);
    t.match(String(r.stdout), /nslab is \/usr\/local\/bin\/nslab/);
    t.equal((await sb.ping('container4', '10.201.0.5')).code, 0, 'the lab it brought up works');
  });
}
