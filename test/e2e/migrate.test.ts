// state.json of the previous release (version 1) under today's code: read and used as it is,
// written as today's version (3) by the first change; a half-built container named in a version 1
// intent.json is torn down; a newer version is refused (by nslab and nslabd), changing nothing.
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('mbm');
t.teardown(() => sb.down());
const file = join(sb.stateDir, 'state.json');
const intent = join(sb.stateDir, 'intent.json');
const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'state-v1-0.1.0.json'), 'utf8'));
const [c4, c5, h, n, s, half] = ['c4', 'c5', 'h', 'n', 's', 'half'].map((x) => sb.name(x));
const ok = async (t: Tap.Test, args: string[]) => {
  const r = await sb.cli(args);
  t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** A record of today's code in the shape release 0.1.0 wrote: the inverse of the migration. */
const netV1 = ({ subnets: [x], ...n }: any) => {
  const { name, id, driver, bridge, mtu, masquerade, icc, internal, created } = n;
  return { name, id, driver, bridge, subnet: x.subnet, gateway: x.gateway, ...(x.ipRange ? { ipRange: x.ipRange } : {}), auxAddresses: x.auxAddresses, mtu, masquerade, icc, internal, created };
};
const epV1 = ({ addresses: [a], ...e }: any) => ({ network: e.network, ifname: e.ifname, hostVeth: e.hostVeth, ip: a.ip, prefix: a.prefix, gateway: a.gateway, mac: e.mac, aliases: e.aliases });
// Release 0.1.0 had no ports: a record without them is defaulted to none when read.
const ctrV1 = ({ ports: _ports, ...c }: any) => ({ ...c, endpoints: c.endpoints.map(epV1) });
const stateV1 = (v2: any, drop: string[] = []) => ({
  version: 1,
  networks: Object.fromEntries(Object.entries(v2.networks).map(([k, x]) => [k, netV1(x)])),
  containers: Object.fromEntries(Object.entries(v2.containers).filter(([k]) => !drop.includes(k)).map(([k, x]) => [k, ctrV1(x)])),
  labId: v2.labId,
});

let empty: Record<string, unknown>;
let v2: any; // state.json as today's code wrote it
let v1Text: string;
const views: Record<string, unknown> = {};
const observe = async (t: Tap.Test) => ({
  containers: JSON.parse(await ok(t, ['container', 'inspect', c4, c5, h, n, s])),
  networks: JSON.parse(await ok(t, ['network', 'inspect', 'lab', 'other'])),
  ls: await ok(t, ['container', 'ls']),
  nets: await ok(t, ['network', 'ls']),
});

t.before(async () => {
  empty = await sb.snapshot();
  const must = async (args: string[]) => {
    const r = await sb.cli(args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  };
  // The lab of the fixture: ip-range, aux address, two endpoints, all four modes, dns, hostname, alias, add-host.
  await must(['network', 'create', 'lab', '--subnet', '10.201.0.0/24', '--ip-range', '10.201.0.0/25', '--aux-address', 'r=10.201.0.100', '--bridge', 'br0']);
  await must(['network', 'create', 'other', '--subnet', '10.202.0.0/24', '--no-icc']);
  await must(['container', 'create', c4, '--network', 'lab', '--ip', '10.201.0.4', '--dns', '10.201.0.1', '--dns-search', 'lab.internal', '--hostname', 'c4', '--alias', 'web', '--add-host', 'gw:10.201.0.1']);
  await must(['container', 'create', c5, '--network', 'lab', '--network', 'other']);
  await must(['container', 'create', h, '--network', 'host']);
  await must(['container', 'create', n, '--network', 'none']);
  await must(['container', 'create', s, '--network', `container:${c4}`]);
  await must(['container', 'create', half, '--network', 'other']);
  v2 = JSON.parse(readFileSync(file, 'utf8'));
  Object.assign(views, await observe(t as unknown as Tap.Test));
  v1Text = JSON.stringify(stateV1(v2), null, 1) + '\n';
  writeFileSync(file, v1Text);
});

t.test('the rewritten file has the shape of the fixture written by release 0.1.0', async (t) => {
  t.equal(v2.version, 3, 'today\'s code writes version 3');
  const v1 = JSON.parse(v1Text);
  t.same(Object.keys(v1.networks.lab), Object.keys(FIXTURE.networks.lab));
  t.same(Object.keys(v1.networks.other), Object.keys(FIXTURE.networks.other));
  t.same(Object.keys(v1.containers[c5].endpoints[1]), Object.keys(FIXTURE.containers.fxc5.endpoints[1]));
  t.same(Object.keys(v1.containers[c4]), Object.keys(FIXTURE.containers.fxc4));
});

t.test('version 1 is read as it is: check finds no drift, the views are unchanged, nothing is written', async (t) => {
  t.match(await ok(t, ['check']), /the kernel matches the records/);
  t.same(await observe(t), views, 'container and network inspect and ls show the same');
  t.equal(readFileSync(file, 'utf8'), v1Text, 'reading wrote nothing');
});

t.test('a newer version is refused: exit 1, one clear line, nothing changed (reset included)', async (t) => {
  const newer = v1Text.replace('"version": 1', '"version": 4');
  writeFileSync(file, newer);
  const before = await sb.snapshot();
  for (const args of [['check'], ['container', 'ls'], ['container', 'rm', n], ['network', 'rm', 'other'], ['reset'], ['gc']]) {
    const r = await sb.cli(args);
    t.equal(r.code, 1, `${args.join(' ')}: exit 1`);
    t.match(r.stderr, /state\.json was written by a newer nslab \(state version 4; this nslab reads versions 1 to 3\); nothing was changed/);
  }
  const d = await sb.startDaemon().then(() => undefined, (e: Error) => e.message);
  t.match(d, /^nslabd exited 1: .*state\.json was written by a newer nslab/s, 'nslabd does not start on it');
  t.equal(readFileSync(file, 'utf8'), newer, 'state.json untouched');
  t.same(await sb.snapshot(), before, 'the kernel untouched');
  writeFileSync(file, v1Text);
});

t.test('the first change migrates: version 3 written, equal to what today\'s code wrote; a version 1 intent is recovered', async (t) => {
  // As if release 0.1.0 was killed while creating `half`: recorded in intent.json only.
  writeFileSync(file, JSON.stringify(stateV1(v2, [half]), null, 1) + '\n');
  writeFileSync(intent, JSON.stringify({ containers: [ctrV1(v2.containers[half])] }) + '\n');
  t.ok((await sb.snapshot()).netns.includes(half), 'the half-built container is in the kernel');
  await ok(t, ['container', 'rm', n]);
  const after = JSON.parse(readFileSync(file, 'utf8'));
  const { [n]: _n, [half]: _h, ...rest } = v2.containers;
  t.same(after, { ...v2, containers: rest }, 'state.json is today\'s version 3, record for record');
  t.notOk((await sb.snapshot()).netns.includes(half), 'the container named in the version 1 intent is torn down');
  t.notOk(existsSync(intent), 'and the intent cleared');
  t.match(await ok(t, ['check']), /the kernel matches the records/);
  const { containers, ...others } = views as any;
  t.same(JSON.parse(await ok(t, ['container', 'inspect', c4, c5, h, s])), containers.filter((c: any) => c.Name !== n), 'inspect as before');
  const withoutHalf = others.networks.map((x: any) => ({ ...x, Containers: Object.fromEntries(Object.entries(x.Containers).filter(([, v]: any) => v.Name !== half)) }));
  t.same(JSON.parse(await ok(t, ['network', 'inspect', 'lab', 'other'])), withoutHalf, 'network inspect as before (without the torn-down container)');
});

t.test('rm and network rm work on the migrated records; the sandbox is as it was', async (t) => {
  await ok(t, ['container', 'rm', s, c4, c5, h]);
  await ok(t, ['network', 'rm', 'lab', 'other']);
  const now = await sb.snapshot();
  t.same({ ...now, forward: '' }, { ...empty, forward: '' }, 'links, addresses, routes, rules, namespaces and /etc/netns as before the lab (forwarding stays on, as with Docker)');
  t.same(JSON.parse(readFileSync(file, 'utf8')).containers, {});
});
