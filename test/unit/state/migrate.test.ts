// state.json of earlier releases read today: version 1 migrated (pure, whole), newer refused.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerView, networkView } from '../../../src/model/views.js';
import { vetIntent, vetState } from '../../../src/engine/records.js';
import { IntentFile } from '../../../src/state/intent.js';
import { migrateIntent, migrateState, NewerStateError } from '../../../src/state/migrate.js';
import { CorruptStateError, Store } from '../../../src/state/store.js';
import { stateFromJson, STATE_VERSION } from '../../../src/state/types.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
/** Written by release 0.1.0 (before lab ids) and by main before this change (with `labId`). */
const OLD = ['state-v1-0.1.0.json', 'state-v1-labid.json'].map((f) => ({ f, text: readFileSync(join(FIXTURES, f), 'utf8') }));

t.test('version 1 → today: subnets and addresses become lists, nothing else changes', async (t) => {
  for (const { f, text } of OLD) {
    const raw = JSON.parse(text);
    const s = migrateState(raw);
    t.equal(s.version, STATE_VERSION, `${f}: today's version`);
    t.equal(JSON.stringify(raw), JSON.stringify(JSON.parse(text)), `${f}: the parsed file is not changed (pure)`);
    t.equal(s.labId, raw.labId, `${f}: labId kept (or absent)`);
    t.same(Object.keys(s.networks), Object.keys(raw.networks));
    t.same(Object.keys(s.containers), Object.keys(raw.containers));
    for (const [name, old] of Object.entries<any>(raw.networks)) {
      const { subnet, gateway, ipRange, auxAddresses, ...rest } = old;
      t.same(s.networks[name], { ...rest, subnets: [{ subnet, gateway, ...(ipRange ? { ipRange } : {}), auxAddresses }], firewall: 'iptables' }, `${f}: network ${name} (its rules were in iptables, the only backend of version 1)`);
      t.notOk('ipRange' in s.networks[name]!.subnets[0]! && !ipRange, 'no ipRange key where there was none');
    }
    for (const [name, old] of Object.entries<any>(raw.containers)) {
      const eps = old.endpoints.map(({ ip, prefix, gateway, ...rest }: any) => ({ ...rest, addresses: [{ ip, prefix, gateway }] }));
      t.same(s.containers[name], { ...old, endpoints: eps }, `${f}: container ${name} (${old.mode})`);
    }
    const warned: string[] = [];
    vetState(stateFromJson(s), (l) => warned.push(l));
    t.same(warned, [], `${f}: every migrated record passes the record checks`);
    t.same(migrateState(JSON.parse(JSON.stringify(s))), s, `${f}: migrating today's version changes nothing`);
  }
});

t.test('the fixture from 0.1.0 holds what the migration must carry: ip-range, aux address, two endpoints, four modes', async (t) => {
  const s = migrateState(JSON.parse(OLD[0]!.text));
  t.same(s.networks.lab!.subnets, [{ subnet: '10.201.0.0/24', gateway: '10.201.0.1', ipRange: '10.201.0.0/25', auxAddresses: { r: '10.201.0.100' } }]);
  t.same(s.containers.fxc5!.endpoints.map((e) => e.addresses), [[{ ip: '10.201.0.2', prefix: 24, gateway: '10.201.0.1' }], [{ ip: '10.202.0.2', prefix: 24, gateway: '10.202.0.1' }]]);
  t.same(Object.values(s.containers).map((c) => c.mode).sort(), ['container', 'host', 'network', 'network', 'none']);
  // Docker-shaped views read the same as before the migration.
  t.same(networkView(s.networks.lab!, s).IPAM.Config, [{ Subnet: '10.201.0.0/24', Gateway: '10.201.0.1', IPRange: '10.201.0.0/25', AuxiliaryAddresses: { r: '10.201.0.100' } }]);
  t.same(networkView(s.networks.other!, s).IPAM.Config, [{ Subnet: '10.202.0.0/24', Gateway: '10.202.0.1' }]);
  t.same((networkView(s.networks.lab!, s).Containers as any)[s.containers.fxc4!.id].IPv4Address, '10.201.0.4/24');
  const eth0 = (containerView(s.containers.fxc4!, s).NetworkSettings.Networks as any).lab;
  t.same([eth0.IPAddress, eth0.IPPrefixLen, eth0.Gateway, eth0.MacAddress, eth0.Aliases], ['10.201.0.4', 24, '10.201.0.1', '02:42:0a:c9:00:04', ['web']]);
});

t.test('a malformed version 1 record does not stop the migration: the record checks drop it', async (t) => {
  const raw = JSON.parse(OLD[0]!.text);
  raw.networks.broken = { name: 'broken', driver: 'bridge', bridge: 'br9', mtu: 1500 }; // no subnet
  raw.networks.odd = 'text';
  raw.containers.fxc4.endpoints.push(7);
  const warned: string[] = [];
  const s = vetState(stateFromJson(migrateState(raw)), (l) => warned.push(l));
  t.same(Object.keys(s.networks), ['lab', 'other']);
  t.notOk(s.containers.fxc4, 'the container with a bad endpoint is dropped whole');
  t.equal(warned.length, 3);
  t.match(warned.join('\n'), /network record "broken" is invalid \(subnet: /);
});

t.test('a newer version is refused; what is no state at all is not taken for one', async (t) => {
  const err = t.throws(() => migrateState({ version: 4, networks: {}, containers: {} }, '/x/state.json')) as NewerStateError;
  t.ok(err instanceof NewerStateError);
  t.equal(err.exitCode, 1);
  t.match(err.message, /^\/x\/state\.json was written by a newer nslab \(state version 4; this nslab reads versions 1 to 3\); nothing was changed/);
  for (const bad of [null, [], 'x', { version: '1', networks: {}, containers: {} }, { version: 0, networks: {}, containers: {} }, { version: 1.5, networks: {}, containers: {} }, { version: 1, networks: [], containers: {} }, { version: 1, networks: {} }]) {
    t.throws(() => migrateState(bad), /^not an nslab state$/, JSON.stringify(bad));
  }
});

t.test('Store: a version 1 file is read migrated, left as it is until the next save, then written as version 3', async (t) => {
  const dir = t.testdir({ 'state.json': OLD[1]!.text });
  const file = join(dir, 'state.json');
  const store = new Store(dir, { state: (s) => vetState(s, () => t.fail('no warning')), intent: (i) => i });
  const s = await store.load();
  t.equal(s.version, 3);
  t.ok(Object.values(s.containers).some((c) => c.endpoints[0]?.addresses[0]?.ip), 'endpoints carry their addresses in the list');
  t.equal(readFileSync(file, 'utf8'), OLD[1]!.text, 'reading changes nothing on disk');
  await store.save(s);
  const written = JSON.parse(readFileSync(file, 'utf8'));
  t.equal(written.version, 3, 'saved as version 3');
  t.equal(written.labId, JSON.parse(OLD[1]!.text).labId, 'the lab id kept');
  t.same(await store.load(), s, 'and read back the same');
});

t.test('Store: a newer file is refused with NewerStateError (not "corrupt": rebuild and reset must not act on it) and left alone', async (t) => {
  const text = JSON.stringify({ version: 4, networks: { x: { anything: true } }, containers: {} });
  const dir = t.testdir({ 'state.json': text });
  const store = new Store(dir);
  const err = await store.load().catch((e) => e);
  t.ok(err instanceof NewerStateError, err.message);
  t.notOk(err instanceof CorruptStateError);
  t.equal(readFileSync(join(dir, 'state.json'), 'utf8'), text);
  writeFileSync(join(dir, 'state.json'), '{"version": "two"}');
  t.ok((await store.load().catch((e) => e)) instanceof CorruptStateError, 'garbage is still corrupt');
});

t.test('intent.json: a version 1 file (no version) is migrated; today\'s carries version 3; a newer one is refused', async (t) => {
  const old = JSON.parse(OLD[0]!.text);
  const v1 = { containers: [old.containers.fxc5], endpoints: [{ container: 'fxc4', endpoint: { ...old.containers.fxc5.endpoints[1], ifname: 'eth1', hostVeth: 'nv-fxc4-1' } }] };
  const i = migrateIntent(JSON.parse(JSON.stringify(v1)));
  t.same(i.containers[0]!.endpoints.map((e) => e.addresses), [[{ ip: '10.201.0.2', prefix: 24, gateway: '10.201.0.1' }], [{ ip: '10.202.0.2', prefix: 24, gateway: '10.202.0.1' }]]);
  t.same(i.endpoints![0]!.endpoint.addresses, [{ ip: '10.202.0.2', prefix: 24, gateway: '10.202.0.1' }]);
  const warned: string[] = [];
  vetIntent(i, (l) => warned.push(l));
  t.same(warned, [], 'the migrated entries pass the record checks');
  const dir = t.testdir({ 'intent.json': JSON.stringify(v1) });
  const f = new IntentFile(dir);
  t.same(f.read(), i, 'IntentFile.read migrates');
  f.write({ containers: i.containers });
  t.equal(JSON.parse(readFileSync(f.path, 'utf8')).version, 3, 'written with its version');
  t.same(f.read().containers, i.containers);
  writeFileSync(f.path, JSON.stringify({ version: 4, containers: [] }));
  t.throws(() => f.read(), NewerStateError);
  t.same(migrateIntent({ x: 1 }), { containers: [] }, 'no intent at all: nothing pending');
});
