// The test sandbox after a killed run: a test file killed before its teardown (SIGKILL, a CI job
// or session ending) leaves its fake host, containers and servers; the next sandbox with its tag
// removes exactly those, once the process that made them is gone, and refuses while it lives.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT, sandbox } from '../helpers/sandbox.js';
import { processesIn } from '../helpers/sandbox-owner.js';

const loader = process.execArgv.filter((a) => a.startsWith('--import'));
const child = spawn(process.execPath, [...loader, join(ROOT, 'test', 'fixtures', 'stale-sandbox.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
const made = await new Promise<{ stateDir: string; container: string; extra: string; host: string }>((res, rej) => {
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
    if (out.includes('\n')) res(JSON.parse(out));
  });
  child.once('exit', (c) => rej(new Error(`the stale sandbox exited ${c} before it was up`)));
});
const servers = processesIn([made.container]);

t.test('a tag held by a live process is refused, and nothing of its is touched', async (t) => {
  await t.rejects(sandbox('rcl'), new RegExp(`sandbox rcl is in use by PID ${child.pid}`));
  t.ok(existsSync(`/run/netns/${made.host}`) && existsSync(`/run/netns/${made.container}`), 'its namespaces are still there');
});

t.test('once that process is killed, the next sandbox removes what it left', async (t) => {
  t.equal(servers.length, 1, 'the stale server runs in the container');
  await new Promise((res) => {
    child.once('exit', res);
    child.kill('SIGKILL');
  });
  t.ok(existsSync(`/run/netns/${made.host}`) && existsSync(`/run/netns/${made.extra}`), 'the killed run left its namespaces');
  const sb = await sandbox('rcl');
  t.teardown(() => sb.down());
  for (const n of [made.container, made.extra]) {
    t.notOk(existsSync(`/run/netns/${n}`), `${n} removed`);
    t.notOk(existsSync(`/etc/netns/${n}`), `/etc/netns/${n} removed`);
  }
  t.notOk(existsSync(`/proc/${servers[0]}`), 'the stale server ended');
  t.notOk(existsSync(made.stateDir), 'the stale state directory removed');
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.231.0.0/24'])).code, 0, 'the new sandbox works');
  t.match((await sb.cli(['network', 'ls'])).stdout, 'lab', 'and lists its network');
});

t.test('leftovers that no record explains are refused, not guessed at', async (t) => {
  await execa('ip', ['netns', 'add', 'nslt-rcm-h']);
  t.teardown(() => execa('ip', ['netns', 'del', 'nslt-rcm-h']));
  await t.rejects(sandbox('rcm'), /nslt-rcm-h exist and no record .* says who made them/);
  t.ok(existsSync('/run/netns/nslt-rcm-h'), 'left as it was');
});
