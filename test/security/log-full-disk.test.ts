// A full disk under nslabd's log: with the state directory on a small tmpfs filled to one free
// page, creates through nslabd fail or succeed but the daemon keeps answering (same PID) and
// every container is whole or gone; once space is back, the next create works.
import t from 'tap';
import { readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { RemoteEngine } from '../../src/client/remote.js';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kal');
const filler = join(sb.stateDir, 'filler');
// The state directory itself becomes the small file system (the socket lives there too).
sb.own({ mount: sb.stateDir, scratch: filler });
await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', sb.stateDir]);
t.teardown(async () => {
  rmSync(filler, { force: true });
  await sb.stopDaemon();
  await sb.cli(['reset']);
  await execa('umount', [sb.stateDir]);
  await sb.down();
});

const api = new RemoteEngine(sb.socket, () => {});
const ping = async () => ((await new Promise((res, rej) => {
  import('node:http').then(({ request }) => {
    const req = request({ socketPath: sb.socket, path: '/v1/ping', agent: false }, (r) => {
      let s = '';
      r.on('data', (d) => (s += d));
      r.on('end', () => res(JSON.parse(s)));
    });
    req.on('error', rej);
    req.end();
  });
})) as { result: { pid: number } }).result.pid;

/** The sandbox's container namespaces, and the containers the records hold. */
async function inKernel(): Promise<{ netns: string[]; recorded: string[] }> {
  const netns = readdirSync('/run/netns').filter((n) => n.startsWith(sb.tag)).sort();
  const recorded = Object.keys((await api.readState()).containers).sort();
  return { netns, recorded };
}

t.test('nslabd keeps answering when its log file cannot be written, and builds nothing by halves', async (t) => {
  await sb.startDaemon();
  const pid = sb.daemon!.pid!;
  await api.createNetwork({ name: 'kaf', subnet: '10.232.0.0/24' });
  const st = statfsSync(sb.stateDir);
  const free = st.bavail * st.bsize;
  writeFileSync(filler, Buffer.alloc(free - 4096));
  t.ok(statfsSync(sb.stateDir).bavail <= 1, 'one free page left');
  const names = Array.from({ length: 6 }, (_, i) => sb.name(`f${i}`));
  const results = [];
  for (const name of names) {
    results.push(await api.createContainers([{ name, network: 'kaf' }]).then(() => 'created', (e: Error) => `refused: ${e.message}`));
    t.equal(await ping(), pid, `after creating ${name} (${results.at(-1)!.slice(0, 60)}): the same nslabd answers`);
  }
  t.equal(sb.daemon?.exitCode, null, 'nslabd never exited');
  t.match(sb.daemonLog, /cannot write the log .*nslab\.log \(ENOSPC\); going on without it/, 'it said once that the log is full');
  t.equal(sb.daemonLog.match(/cannot write the log/g)?.length, 1, 'once');
  const k = await inKernel();
  t.same(k.netns, k.recorded, `each container is whole or gone: namespaces ${k.netns.join(',') || 'none'} = records`);
  t.equal((await sb.cli(['check'])).code, 0, 'check: the records match the kernel');

  rmSync(filler);
  const late = sb.name('ok');
  await api.createContainers([{ name: late, network: 'kaf' }]);
  t.ok((await inKernel()).netns.includes(late), 'with space back, the next create works');
  t.equal(await ping(), pid, 'still the same nslabd');
  await api.removeContainers([...names, late]);
  await api.removeNetworks(['kaf']);
});
