// `nslab plan FILE` against the live kernel of a sandbox: + before up, nothing after, ~ for a
// hand's change (which `up` mends), exit codes with --detailed-exitcode, a bad file's every problem.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('lcp');
t.teardown(() => sb.down());
const c4 = sb.name('c4'), c5 = sb.name('c5');
const dir = mkdtempSync(join(tmpdir(), 'nslab-lcp-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'lab.yaml');
writeFileSync(file, `networks:\n  lcnet:\n    subnet: 10.239.0.0/24\n    bridge: lcbr0\ncontainers:\n  ${c4}:\n    network: lcnet\n    ip: 10.239.0.4\n    ports: ["8080:80"]\n  ${c5}:\n    network: lcnet\n    ip: 10.239.0.5\n`);

t.test('on an empty host: + for every object, exit 3 with --detailed-exitcode, 0 without; nothing changes', async (t) => {
  const before = await sb.snapshot();
  const r = await sb.cli(['plan', '--detailed-exitcode', file]);
  t.equal(r.code, 3, r.stderr);
  t.equal(r.stdout, [
    '+ network lcnet: bridge lcbr0, subnet 10.239.0.0/24, gateway 10.239.0.1 on it, MASQUERADE for 10.239.0.0/24',
    `+ container ${c4}: namespace ${c4}; veth nv-${c4}-0 ↔ eth0 10.239.0.4/24 on lcnet, default route via 10.239.0.1; publishing 0.0.0.0:8080/tcp → 80`,
    `+ container ${c5}: namespace ${c5}; veth nv-${c5}-0 ↔ eth0 10.239.0.5/24 on lcnet, default route via 10.239.0.1`,
    '',
    'Plan: 3 to add, 0 to change, 0 to remove.',
  ].join('\n'));
  t.equal((await sb.cli(['plan', file])).code, 0, 'changes pending without the flag: 0, as terraform');
  const j = JSON.parse((await sb.cli(['--json', 'plan', file])).stdout);
  t.match(j, { add: 3, change: 0, remove: 0, refused: false, changes: [{ action: '+', kind: 'network', name: 'lcnet' }, { action: '+', kind: 'container', name: c4 }, {}] });
  t.same(await sb.snapshot(), before, 'plan changed nothing in the kernel');
});

t.test('after up: no changes, exit 0 with --detailed-exitcode', async (t) => {
  const up = await sb.cli(['up', file]);
  t.equal(up.code, 0, up.stderr);
  const r = await sb.cli(['plan', '--detailed-exitcode', file]);
  t.same(r, { code: 0, stdout: `No changes. The kernel matches ${file}.`, stderr: '' });
});

t.test('a default route deleted by hand: plan names it (~, exit 3) and changes nothing; up mends it', async (t) => {
  const del = await sb.exec(c5, ['ip', 'route', 'del', 'default']);
  t.equal(del.code, 0, del.stderr);
  const before = await sb.snapshot();
  const r = await sb.cli(['plan', '--detailed-exitcode', file]);
  t.equal(r.code, 3, r.stderr);
  t.equal(r.stdout, `~ container ${c5}: default route via 10.239.0.1 dev eth0 is missing\n\nPlan: 0 to add, 1 to change, 0 to remove.`);
  t.same(await sb.snapshot(), before, 'plan changed nothing');
  t.equal((await sb.cli(['up', file])).code, 0);
  const routes = await sb.ipJson(['route', 'show'], c5) as Array<Record<string, unknown>>;
  t.ok(routes.some((x) => x.dst === 'default' && x.gateway === '10.239.0.1'), 'up put the route back');
  t.equal((await sb.cli(['plan', '--detailed-exitcode', file])).code, 0, 'and the plan is empty again');
});

t.test('through nslabd: the same plan', async (t) => {
  await sb.startDaemon();
  t.teardown(() => sb.stopDaemon());
  await sb.exec(c4, ['ip', 'link', 'set', 'eth0', 'down']);
  const r = await sb.cli(['plan', '--detailed-exitcode', file]);
  t.equal(r.code, 3, r.stderr);
  t.match(r.stdout, new RegExp(`^~ container ${c4}: eth0 is down inside\n`));
  t.match(r.stdout, /Plan: 0 to add, [1-9]\d* to change, 0 to remove\.$/);
  t.equal((await sb.cli(['up', file])).code, 0, 'up through nslabd mends it');
  t.equal((await sb.cli(['plan', '--detailed-exitcode', file])).code, 0);
});

t.test('a setting that differs from the record: ~ and what up would say', async (t) => {
  const other = join(dir, 'other.yaml');
  writeFileSync(other, `networks:\n  lcnet:\n    subnet: 10.239.1.0/24\n    bridge: lcbr0\n`);
  const r = await sb.cli(['plan', '--detailed-exitcode', other]);
  t.equal(r.code, 3, r.stderr);
  t.match(r.stdout, /^~ network lcnet: its settings in the file differ from the record \(up refuses: network lcnet already exists with other settings \(subnet, gateway\)\)\n/);
});

t.test('a bad file: exit 2, every problem on its own line, nothing built', async (t) => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, `networks:\n  lcnet:\n    subnet: 10.239.0.0/24\n    colour: blue\ncontainers:\n  ${c4}:\n    network: lcnet\n    ip: 10.9.0.5\n    ports: ["8080:80", "99999:80"]\n`);
  const r = await sb.cli(['plan', '--detailed-exitcode', bad]);
  t.equal(r.code, 2);
  t.equal(r.stdout, '');
  t.equal(r.stderr, [
    `${bad}:4: networks.lcnet.colour: unknown key (known: driver, subnet, gateway, ip-range, aux-address, bridge, mtu, internal, masquerade, icc, opt)`,
    `${bad}:8: containers.${c4}.ip: 10.9.0.5 is not in network lcnet (10.239.0.0/24)`,
    `${bad}:9: containers.${c4}.ports[1]: "99999:80": port 99999 is outside 1-65535`,
    `nslab: ${bad}: 3 problems; nothing was changed`,
  ].join('\n'));
  const up = await sb.cli(['up', bad]);
  t.equal(up.code, 2);
  t.equal(up.stderr, r.stderr, 'up says the same, and builds nothing');
});
