// A CLI call made while nslabd starts (lock taken, the recorded lab being rebuilt) waits for it
// and is served by it: it never falls back in-process onto the lock nslabd holds.
import t from 'tap';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { DAEMON, daemonStatus, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('hss');
t.teardown(() => sb.down());
// Enough containers that rebuilding them outlasts a CLI's start-up, even on a loaded machine.
const N = 100;
const names = Array.from({ length: N }, (_, i) => sb.name(`c${i}`));

t.test('a call in the start-up window waits for the reconcile, then gets nslabd', async (t) => {
  const lab = join(sb.stateDir, 'lab.yaml');
  writeFileSync(lab, `networks:\n  lab:\n    subnet: 10.209.0.0/24\ncontainers:\n${names.map((n) => `  ${n}:\n    network: lab\n`).join('')}`);
  const up = await sb.cli(['up', lab]);
  t.equal(up.code, 0, up.stderr);
  // As after a reboot: the namespaces are gone, the records remain; starting nslabd rebuilds them.
  for (const n of names) await execa('ip', ['netns', 'del', n]);

  const daemon = spawn('nsenter', [`--net=/run/netns/${sb.host}`, process.execPath, DAEMON, '--socket', sb.socket, '--state-dir', sb.stateDir, '--log-level', 'info'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  sb.daemon = daemon; // sb.down() stops it
  let log = '';
  daemon.stderr!.on('data', (d) => (log += d));
  // The window: nslabd holds the lock and runs kernel commands to rebuild the lab.
  const deadline = Date.now() + 20000;
  while (!log.includes('"kernel command"') && Date.now() < deadline && daemon.exitCode === null) await new Promise((r) => setTimeout(r, 2));
  t.match(log, /"kernel command"/, 'caught nslabd rebuilding the lab');
  t.equal(await daemonStatus(sb.socket), 'starting', 'it answers already, and says it is starting');
  const t0 = Date.now();
  const late = sb.name('late');
  const r = await sb.cli(['container', 'create', late, '--network', 'lab']);
  const ms = Date.now() - t0;
  t.equal(r.code, 0, r.stderr);
  t.ok(ms < 20000, `answered in ${ms} ms (the in-process fallback waited 60 s for the lock, then failed)`);
  t.match(log, /nslabd ready/, 'nslabd finished starting');
  // The call was made in the window: it reached nslabd after (not before) the start-up reconcile.
  const readyAt = Number(/"time":(\d+)[^\n]*nslabd ready/.exec(log)?.[1]);
  t.ok(readyAt > t0, `nslabd was still starting ${readyAt - t0} ms after the call began`);
  t.equal(await daemonStatus(sb.socket), 'ready');
  const ls = await sb.cli(['--json', 'container', 'ls']);
  t.same((JSON.parse(ls.stdout) as Array<{ Name: string }>).map((c) => c.Name).sort(), [...names, late].sort(), 'every container listed');
  for (const n of [names[0]!, names[N - 1]!, late]) t.equal((await sb.ping(n, '10.209.0.1')).code, 0, `${n} rebuilt and reachable`);
});
