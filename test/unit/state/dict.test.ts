// Null-prototype records: no name — constructor, __proto__, toString, … — finds Object.prototype,
// whether the record was made here, parsed from state.json, or received from nslabd.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dict, own } from '../../../src/state/dict.js';
import { Store } from '../../../src/state/store.js';
import { emptyState, stateFromJson } from '../../../src/state/types.js';
import { parseNetworkInput } from '../../../src/engine/inputs.js';
import { parseLab } from '../../../src/lab/labfile.js';

const NAMES = Object.getOwnPropertyNames(Object.prototype);

t.test('dict(): every Object.prototype name is absent, and __proto__ is an ordinary key', async (t) => {
  const d = dict<number>();
  t.equal(Object.getPrototypeOf(d), null);
  t.same(NAMES.filter((n) => d[n] !== undefined), [], 'no name finds anything');
  for (const [i, n] of NAMES.entries()) d[n] = i;
  t.same(Object.keys(d), NAMES, 'each is an own key, __proto__ included');
  t.equal(Object.getPrototypeOf(d), null, 'setting __proto__ did not set the prototype');
  t.same(NAMES.map((n) => d[n]), NAMES.map((_, i) => i));
  t.same(Object.keys(JSON.parse(JSON.stringify(d))), NAMES, 'JSON round trip keeps all twelve');
  for (const n of NAMES) delete d[n];
  t.same(Object.keys(d), []);
});

t.test('dict(from): copies own entries of a plain object or a list; later entries win; input unchanged', async (t) => {
  const parsed = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2, "a": 3}') as Record<string, unknown>;
  const d = dict(parsed);
  t.equal(Object.getPrototypeOf(d), null);
  t.same(Object.keys(d), ['__proto__', 'constructor', 'a']);
  t.same(d.__proto__, { polluted: 1 }, 'JSON.parse made __proto__ an own key; dict keeps it one');
  t.equal((d as { polluted?: unknown }).polluted, undefined, 'and it is not the prototype');
  t.same(Object.keys(parsed), ['__proto__', 'constructor', 'a'], 'the source is unchanged');
  const e = dict([['x', 1], ['__proto__', 2], ['x', 3]] as Array<[string, number]>);
  t.same({ ...e }, { x: 3, ['__proto__']: 2 });
  t.equal(Object.getPrototypeOf(e), null);
  t.same(Object.keys(dict(undefined)), []);
});

t.test('own(): a plain object answers only for its own keys', async (t) => {
  const plain: Record<string, string> = { a: 'x' };
  t.equal(own(plain, 'a'), 'x');
  t.same(NAMES.filter((n) => own(plain, n) !== undefined), [], 'nothing inherited');
  t.equal(own(JSON.parse('{"__proto__": "y"}') as Record<string, string>, '__proto__'), 'y', 'an own __proto__ is found');
});

t.test('emptyState and stateFromJson give records where no Object.prototype name is found', async (t) => {
  const lookups = (s: ReturnType<typeof emptyState>) => NAMES.filter((n) => s.networks[n] !== undefined || s.containers[n] !== undefined);
  t.same(lookups(emptyState()), []);
  const json = JSON.parse('{"version":1,"networks":{"lab":{"name":"lab"}},"containers":{"__proto__":{"name":"__proto__"}}}');
  const s = stateFromJson(json);
  t.same(lookups(s).filter((n) => n !== '__proto__'), [], 'only the recorded key is found');
  t.same(s.containers.__proto__, { name: '__proto__' }, 'a record under __proto__ is an own key');
  t.same(Object.keys(s.networks), ['lab']);
  t.equal(s.networks.lab, json.networks.lab, 'records are shared, not copied');
});

t.test('Store.load: state.json comes back with null-prototype records', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-dict-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = new Store(dir);
  const empty = await store.load();
  t.same(NAMES.filter((n) => empty.networks[n] || empty.containers[n]), [], 'absent file');
  writeFileSync(store.file, JSON.stringify({ version: 1, networks: { lab: { name: 'lab' } }, containers: {} }));
  const s = await store.load();
  t.same(NAMES.filter((n) => s.networks[n] || s.containers[n]), [], 'a file with records');
  t.ok(s.networks.lab);
});

t.test('inputs: -o with an Object.prototype name is an unknown option; aux-address names stay keys', async (t) => {
  for (const n of NAMES) {
    t.throws(() => parseNetworkInput({ name: 'n', options: [`${n}=x`] }), { field: 'opt', message: new RegExp(`^opt: unknown option "${n.replace(/[$]/g, '\\$&')}"`) }, `-o ${n}=x`);
  }
  const spec = parseNetworkInput({ name: 'n', subnet: '10.1.0.0/24', auxAddress: NAMES.map((n, i) => `${n}=10.1.0.${i + 2}`) });
  t.same(Object.keys(spec.auxAddresses), NAMES, 'all twelve reserved, __proto__ included');
  t.equal(Object.getPrototypeOf(spec.auxAddresses), null);
  t.equal(spec.auxAddresses.__proto__, '10.1.0.12');
});

t.test('lab files: keys named constructor or __proto__ are names, never the prototype', async (t) => {
  const lab = parseLab(`networks:\n  constructor: { subnet: 10.1.0.0/24 }\n  valueOf: {}\ncontainers:\n  toString: { network: constructor }\n  hasOwnProperty: {}\n`);
  t.same(lab.networks.map((n) => [n.name, n.subnet]), [['constructor', '10.1.0.0/24'], ['valueOf', undefined]]);
  t.same(lab.containers.map((c) => [c.name, c.network]), [['toString', 'constructor'], ['hasOwnProperty', undefined]]);
  // The file's names are checked as the engine checks them: "__proto__" is a name, and not a valid one.
  t.throws(() => parseLab(`networks:\n  __proto__: {}\ncontainers:\n  __proto__: {}\n`), {
    field: 'networks.__proto__', problems: [{ path: 'networks.__proto__', message: /must start with a letter or digit/ }, { path: 'containers.__proto__' }],
  });
  t.throws(() => parseLab('__proto__: {}\n'), { field: 'lab.__proto__' }, 'an unknown top-level key, named');
  t.throws(() => parseLab('networks:\n  lab:\n    constructor: 1\n'), { field: 'networks.lab.constructor' });
});
