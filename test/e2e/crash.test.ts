// Crash safety without a daemon: the CLI is killed (-9) before every op of a container create
// and after the last one; the next run finds the container whole or gone, never half-built,
// and the lock the dead process held is free.
import t from 'tap';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('cr');
t.teardown(() => sb.down());

t.test('kill -9 at every point of a container create', async (t) => {
  const net = ['network', 'create', 'lab', '--subnet', '10.203.0.0/24'];
  t.equal((await sb.cli(net)).code, 0);
  const c = sb.name('c1');
  const before = await sb.snapshot();
  // Kill before op 1, 2, … and after the last op; the first N with no op left to kill at succeeds.
  let n = 1;
  for (; n <= 40; n++) {
    const r = await sb.cli(['container', 'create', c, '--network', 'lab'], { NSLAB_CRASH_AT: String(n) });
    if (r.code === 0) break;
    t.equal(r.stderr, '', `killed before op ${n} (no error printed: the process just died)`);
    // Any later change first undoes what the dead run left (a repeated network create changes nothing else).
    t.equal((await sb.cli(net)).code, 0, `crash at ${n}: the next run takes the lock and recovers`);
    t.same(JSON.parse((await sb.cli(['--json', 'container', 'ls'])).stdout), [], `crash at ${n}: no record`);
    t.same(await sb.snapshot(), before, `crash at ${n}: the container is gone, nothing half-built is left`);
  }
  t.ok(n - 1 >= 9, `${n - 1} kill points (every op of the create and after the last), each recovered to "gone"`);
  t.equal(JSON.parse((await sb.cli(['--json', 'container', 'ls'])).stdout).length, 1, 'the create with no kill point left succeeded');
  t.equal((await sb.ping(c, '10.203.0.1')).code, 0, 'and the container works');
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
});
