// Derived interface names: plain and hashed forms never meet, and a hashed name in use is skipped.
import t from 'tap';
import { bridgeName, hostVethName, IFNAMSIZ } from '../../../src/engine/names.js';

t.test('the names of issue 9 no longer collide', async (t) => {
  // Both hashed to nv-f39aa823-0 before; a container named f39aa823 took that name as its plain one.
  const a = hostVethName('rs000000ycm', 0);
  const b = hostVethName('rs000001d1j', 0);
  t.match(a, /^nv--[0-9a-f]{9}-0$/);
  t.not(a, b);
  t.equal(hostVethName('f39aa823', 0), 'nv-f39aa823-0');
  t.not(hostVethName('f39aa823', 0), a);
});

t.test('a plain name can never take the hashed form', async (t) => {
  // Names start with a letter or digit, so nv-NAME-N never starts with nv-- nor nslab-NAME with nslab--.
  for (const n of ['a', 'x-1', '0', 'abcdefghij']) t.notMatch(hostVethName(n, 0), /^nv--/, `nv-${n}-0 fits`);
  for (const n of ['a', 'x-1', '0', 'abcdefghi']) t.notMatch(bridgeName(n), /^nslab--/, `nslab-${n} fits`);
  t.match(bridgeName('averylongnetwork'), /^nslab--[0-9a-f]{8}$/);
});

t.test('a hashed name in use is skipped for the next salted one; same inputs, same name', async (t) => {
  const first = hostVethName('container4567', 1);
  const taken = new Set([first]);
  const second = hostVethName('container4567', 1, (n) => taken.has(n));
  t.not(second, first);
  t.match(second, /^nv--[0-9a-f]{9}-1$/);
  t.equal(hostVethName('container4567', 1, (n) => taken.has(n)), second, 'deterministic');
  const b = bridgeName('averylongnetwork');
  const b2 = bridgeName('averylongnetwork', (n) => n === b);
  t.not(b2, b);
  t.match(b2, /^nslab--[0-9a-f]{8}$/);
  // A plain name is returned as it is, taken or not: the caller refuses it.
  t.equal(hostVethName('c1', 0, () => true), 'nv-c1-0');
  t.throws(() => hostVethName('container4567', 0, () => true), /no free interface name/);
});

t.test('every derived name fits, up to 999 interfaces', async (t) => {
  for (const i of [0, 9, 10, 99, 100, 999]) t.ok(hostVethName('abcdefghijklmno', i).length <= IFNAMSIZ, `eth${i}`);
  t.ok(bridgeName('abcdefghijklmno').length <= IFNAMSIZ);
});

t.test('a random pair of long names collides only in the hash, and then one is skipped', async (t) => {
  // 2000 long names with 9 hex digits: distinct names, and the taken set keeps them distinct anyway.
  const taken = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const n = hostVethName(`long${String(i).padStart(11, '0')}`, 0, (x) => taken.has(x));
    t.notOk(taken.has(n));
    taken.add(n);
  }
  t.equal(taken.size, 2000);
});
