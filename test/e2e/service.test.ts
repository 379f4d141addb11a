// The systemd unit that ships with the repo: systemd itself finds nothing wrong with it.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT } from '../helpers/sandbox.js';

t.test('scripts/nslabd.service passes systemd-analyze verify', async (t) => {
  const unit = readFileSync(join(ROOT, 'scripts', 'nslabd.service'), 'utf8');
  t.match(unit, /^ExecStart=\/usr\/local\/bin\/nslabd --socket \/run\/nslab\/nslab\.sock --state-dir \/var\/lib\/nslab$/m);
  t.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m, 'reload = SIGHUP = reconcile');
  t.match(unit, /^KillSignal=SIGTERM$/m, 'stop = SIGTERM: the lab stays up');
  t.match(unit, /^WantedBy=multi-user\.target$/m, 'started at boot, which rebuilds the recorded lab');
  // Verify a copy whose ExecStart points at this checkout (setup.sh makes /usr/local/bin/nslabd).
  const dir = mkdtempSync(join(tmpdir(), 'nslab-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'nslabd.service');
  writeFileSync(file, unit.replace('/usr/local/bin/nslabd', `${process.execPath} ${join(ROOT, 'dist', 'daemon', 'main.js')}`));
  const r = await execa('systemd-analyze', ['verify', file], { reject: false });
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stderr.trim(), '', 'no warnings');
});
