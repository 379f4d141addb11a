// The input schemas: shapes of every verb's arguments, unknown keys, bounds, fields named in errors.
import t from 'tap';
import { checkArgs, daemonOptions, LIMITS, validate } from '../../../src/model/schemas.js';
import { withCheckedArgs } from '../../../src/model/checked.js';
import { ValidationError } from '../../../src/errors.js';
import type { EngineApi } from '../../../src/engine/api.js';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof ValidationError ? e.message : `not a ValidationError: ${(e as Error).message}`;
  }
  return 'accepted';
};

t.test('well-formed arguments pass, null stands for an omitted one', async (t) => {
  t.same(checkArgs('createNetwork', [{ name: 'lab', subnet: '10.0.0.0/24', mtu: '1400', internal: true }]), [{ name: 'lab', subnet: '10.0.0.0/24', mtu: '1400', internal: true }]);
  t.same(checkArgs('removeNetworks', [['a', 'b'], null]), [['a', 'b'], undefined]);
  t.same(checkArgs('removeContainers', [['a']]), [['a'], undefined]);
  t.same(checkArgs('connect', ['n', 'c', { ip: '10.0.0.5', aliases: ['w'] }]), ['n', 'c', { ip: '10.0.0.5', aliases: ['w'] }]);
  t.same(checkArgs('check', []), [undefined]);
  t.same(checkArgs('gc', []), []);
  t.same(checkArgs('up', [[{ name: 'n' }], [{ name: 'c', networks: ['n'] }]]), [[{ name: 'n' }], [{ name: 'c', networks: ['n'] }]]);
});

t.test('wrong shapes are refused with the field named and the value never echoed', async (t) => {
  const cases: Array<[Parameters<typeof checkArgs>[0], unknown, RegExp]> = [
    ['createNetwork', [], /^network: is required$/],
    ['createNetwork', [{ name: 'x', foo: 1 }], /^network\.foo: unknown key$/],
    ['createNetwork', [{ name: 'x', mtu: [1] }], /^network\.mtu: must be a number or a string$/],
    ['createNetwork', [{ name: 'x', icc: 'no' }], /^network\.icc: must be true or false$/],
    ['createNetwork', [{ name: 'x', auxAddress: 'a=10.0.0.1' }], /^network\.auxAddress: must be a list$/],
    ['createContainers', [{ name: 'x' }], /^containers: must be a list$/],
    ['createContainers', [[{ name: 'x', dns: Array(LIMITS.list + 1).fill('1.1.1.1') }]], /^containers\[0\]\.dns: has more than 256 items$/],
    ['createContainers', [[{ name: 'x'.repeat(10_000) }]], /^containers\[0\]\.name: is longer than 512 characters$/],
    ['createContainers', [[{ name: 'a' }, { name: 'b', ip: 7 }]], /^containers\[1\]\.ip: must be a string$/],
    ['up', [[]], /^containers: is required$/],
    ['removeNetworks', ['x'], /^names: must be a list$/],
    ['removeNetworks', [Array(LIMITS.objects + 1).fill('x')], /^names: has more than 65536 items$/],
    ['removeContainers', [['x'], 'yes'], /^force: must be true or false$/],
    ['connect', ['n'], /^container: is required$/],
    ['connect', ['n', 'c', { mac: 'x' }], /^options\.mac: unknown key$/],
    ['disconnect', ['n', 'c', 'd'], /^arguments: has more than 2 arguments$/],
    ['reset', [1], /^arguments: has more than 0 arguments$/],
    ['check', 'yes', /^arguments: must be a list of arguments$/],
  ];
  for (const [verb, args, message] of cases) t.match(refused(() => checkArgs(verb, args)), message, `${verb} ${JSON.stringify(args).slice(0, 60)}`);
  t.match(refused(() => checkArgs('createNetwork', [{ name: 'x', ['y'.repeat(5000)]: 1 }])), /^network\.y+…: unknown key$/, 'a huge unknown key is clipped');
  t.ok(refused(() => checkArgs('createNetwork', [{ name: 'x', ['y'.repeat(5000)]: 1 }])).length < 200, 'the line stays short');
});

t.test('Object.prototype names are plain values, and Object.prototype keys are unknown keys', async (t) => {
  t.same(checkArgs('removeNetworks', [['constructor', '__proto__', 'toString']]), [['constructor', '__proto__', 'toString'], undefined]);
  t.match(refused(() => checkArgs('createNetwork', [JSON.parse('{"name":"x","__proto__":{"subnet":"1"}}')])), /^network\.__proto__: unknown key$/);
  t.match(refused(() => checkArgs('createNetwork', [{ name: 'x', constructor: 1 }])), /^network\.constructor: unknown key$/);
});

t.test('the in-process engine goes through the same checks', async (t) => {
  const calls: unknown[][] = [];
  const fake = { removeNetworks: async (...a: unknown[]) => (calls.push(a), []), readState: async () => 'state' } as unknown as EngineApi;
  const api = withCheckedArgs(fake);
  await t.rejects(api.removeNetworks('x' as unknown as string[]), /^names: must be a list$/);
  t.same(calls, [], 'nothing reached the engine');
  await api.removeNetworks(['x']);
  t.same(calls, [[['x'], undefined]], 'a good call goes through');
  t.equal(await api.readState(), 'state', 'reads pass untouched');
});

t.test('nslabd --firewall-backend and a request naming a backend', async (t) => {
  const d = { socket: '/run/nslab/nslab.sock', stateDir: '/var/lib/nslab', logLevel: 'info' };
  t.equal(validate(daemonOptions, { ...d, firewallBackend: 'none' }).firewallBackend, 'none');
  t.throws(() => validate(daemonOptions, { ...d, firewallBackend: 'pf' }), /firewallBackend: must be one of iptables, none/);
  t.same(checkArgs('createNetwork', [{ name: 'n', firewall: 'none' }]), [{ name: 'n', firewall: 'none' }]);
  t.throws(() => checkArgs('createNetwork', [{ name: 'n', firewall: 'pf' }]), /network\.firewall: must be one of iptables, none/);
});
