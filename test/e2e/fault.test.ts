// Fault injection: the Nth op of a create fails, for every N; the host must end as it began.
import t from 'tap';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('fi');
t.teardown(() => sb.down());

t.test('container create: every failing op is reverted', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.201.0.0/24'])).code, 0);
  const c = sb.name('c1');
  const before = await sb.snapshot();
  // How many ops a create has: count them from a faulted run that never fires.
  const script = (await sb.cli(['--dry-run', 'container', 'create', c, '--network', 'lab'])).stdout;
  const ops = script.split('\n').filter((l) => l && !l.startsWith('#') && l !== 'EOF').length;
  t.ok(ops >= 8, `${ops} ops in a container create`);
  let n = 1;
  for (; n <= 30; n++) {
    const r = await sb.cli(['container', 'create', c, '--network', 'lab'], { NSLAB_FAULT_AT: String(n) });
    if (r.code === 0) break;
    t.equal(r.code, 1, `fault at op ${n}: exit 1`);
    t.match(r.stderr, /injected fault before: /, `fault at op ${n}: names the command`);
    t.same(await sb.snapshot(), before, `fault at op ${n}: host identical`);
    t.equal(JSON.parse((await sb.cli(['--json', 'container', 'ls'])).stdout).length, 0, `fault at op ${n}: no record`);
  }
  t.ok(n > 8, `faults injected at ops 1..${n - 1}, then the create succeeded`);
  t.equal((await sb.ping(c, '10.201.0.1')).code, 0, 'the container built after all those faults works');
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
});

t.test('network create: every failing op is reverted', async (t) => {
  const before = await sb.snapshot();
  let n = 1;
  for (; n <= 20; n++) {
    const r = await sb.cli(['network', 'create', 'n2', '--subnet', '10.202.0.0/24'], { NSLAB_FAULT_AT: String(n) });
    if (r.code === 0) break;
    t.equal(r.code, 1, `fault at op ${n}: exit 1 (${r.stderr.trim()})`);
    t.same(await sb.snapshot(), before, `fault at op ${n}: host identical`);
  }
  t.ok(n > 3, `faults at ops 1..${n - 1}`);
});

t.test('a real kernel failure names the command and its stderr, and is reverted', async (t) => {
  // The network's bridge was deleted behind nslab's back: the veth step cannot enslave to it.
  // (A foreign link holding the veth's name is refused before anything runs: test/security.)
  const c = sb.name('c2');
  await sb.exec(sb.host, ['ip', 'link', 'del', 'nslab-lab']);
  const mid = await sb.snapshot();
  const r = await sb.cli(['container', 'create', c, '--network', 'lab']);
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`failed to create veth nv-${c}-0 .*link add nv-${c}-0 .*(Cannot find device|does not exist)`));
  t.same(await sb.snapshot(), mid, 'reverted');
  t.equal(JSON.parse((await sb.cli(['--json', 'container', 'ls'])).stdout).length, 0, 'no record');
  // Creating the network again with its settings puts the bridge back.
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.201.0.0/24'])).code, 0);
  t.equal((await sb.cli(['container', 'create', c, '--network', 'lab'])).code, 0);
  t.equal((await sb.ping(c, '10.201.0.1')).code, 0);
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
});
