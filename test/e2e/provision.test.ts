// scripts/provision.sh (what the Vagrantfile runs) on this machine kind: twice, the lab inside a sandbox.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, ROOT } from '../helpers/sandbox.js';

const sb = await sandbox('pv');
t.teardown(() => sb.down());
// setup.sh puts nslab and nslabd on the PATH: put back whatever was there before.
for (const bin of ['/usr/local/bin/nslab', '/usr/local/bin/nslabd']) {
  let before: string | undefined;
  try {
    before = readlinkSync(bin);
  } catch { /* absent */ }
  t.teardown(() => {
    rmSync(bin, { force: true });
    if (before) symlinkSync(before, bin);
  });
}

// setup.sh installs the docs nslabd.service names: remove them again unless they were there before.
const DOC = '/usr/local/share/doc/nslab';
if (!existsSync(DOC)) t.teardown(() => rmSync(DOC, { recursive: true, force: true }));

for (const round of [1, 2]) {
  t.test(`provision.sh run ${round}`, async (t) => {
    const r = await execa('bash', [join(ROOT, 'scripts', 'provision.sh')], {
      reject: false, env: { NSLAB_NETNS: sb.host, NSLAB_STATE_DIR: sb.stateDir, NSLAB_SOCKET: sb.socket, CI: 'true' }, stdin: 'ignore',
    });
    t.equal(r.exitCode, 0, String(r.stderr).slice(-2000));
    t.match(String(r.stdout), /container container4: eth0 10\.201\.0\.4\/24/);
    t.match(String(r.stdout), /nslab is \/usr\/local\/bin\/nslab, nslabd is \/usr\/local\/bin\/nslabd/);
    t.match(String(r.stdout), /nslabd: not installed as a service \(NSLAB_NETNS is set: a test sandbox\)/, 'no service from a test');
    t.equal((await sb.ping('container4', '10.201.0.5')).code, 0, 'the lab it brought up works');
    t.equal(readFileSync(join(DOC, 'README.md'), 'utf8'), readFileSync(join(ROOT, 'README.md'), 'utf8'), "the unit's Documentation= file is there");
    t.ok(existsSync(join(DOC, 'docs', 'naming.md')), "and README's docs/ beside it");
  });
}
