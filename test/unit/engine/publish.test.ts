// -p parsing into single mappings, and the conflicts between mappings (one request, or the records).
import t from 'tap';
import { ConflictError, ValidationError } from '../../../src/errors.js';
import { checkPortConflicts, clash, parsePublish } from '../../../src/engine/publish.js';
import type { ContainerRecord, PortRecord } from '../../../src/state/types.js';

const caught = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

t.test('the forms Docker takes: port, range, host address, protocol', async (t) => {
  t.same(parsePublish('8080:80'), [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }]);
  t.same(parsePublish('8080:80/udp'), [{ protocol: 'udp', hostPort: 8080, containerPort: 80 }]);
  t.same(parsePublish('8080:80/TCP'), [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }], 'protocol case-insensitive');
  t.same(parsePublish('127.0.0.1:8080:80'), [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80 }]);
  t.same(parsePublish('0.0.0.0:8080:80'), [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }], '0.0.0.0 is the wildcard: recorded as none');
  t.same(parsePublish('192.0.2.7:9000-9002:7000-7002/udp'), [7000, 7001, 7002].map((c, i) => ({ protocol: 'udp', hostIp: '192.0.2.7', hostPort: 9000 + i, containerPort: c })));
  t.same(parsePublish('1:65535'), [{ protocol: 'tcp', hostPort: 1, containerPort: 65535 }], 'the bounds');
  t.equal(parsePublish('1-65535:1-65535').length, 65535, 'the whole range');
});

t.test('bad forms: a ValidationError naming the field', async (t) => {
  const bad: Array<[string, RegExp]> = [
    ['', /is empty/],
    ['80', /random host port/],
    [':80', /host port is empty/],
    ['1.2.3.4::80', /random host port/],
    ['a:b:c:d', /is not \[HOSTIP:\]HOSTPORT:PORT/],
    ['0:80', /outside 1-65535/],
    ['65536:80', /outside 1-65535/],
    ['80:0', /outside 1-65535/],
    ['080x:80', /not a port number/],
    ['8080-8082:80-81', /not the same length/],
    ['8082-8080:80-82', /runs backwards/],
    ['8080-8081-8082:80', /not a port or a range/],
    ['80:80/sctp', /not tcp or udp/],
    ['80:80/tcp/udp', /more than one/],
    ['256.1.1.1:80:80', /not a valid IPv4 address/],
    ['::1:80:80', /not \[HOSTIP/],
  ];
  for (const [spec, re] of bad) {
    const e = caught(() => parsePublish(spec, 'ports'));
    t.ok(e instanceof ValidationError && e.field === 'ports' && re.test(e.message), `${spec}: ${(e as Error | undefined)?.message}`);
  }
});

const rec = (name: string, ports: PortRecord[]): ContainerRecord => ({
  name, id: name, mode: 'network', status: 'ready', endpoints: [], hostname: name, dns: [], dnsSearch: [], addHosts: [], ports, request: {}, created: '',
});
const p = (spec: string) => parsePublish(spec);

t.test('clash: same protocol and port, and the same address or either is the wildcard', async (t) => {
  t.ok(clash(p('8080:80')[0]!, p('8080:81')[0]!));
  t.notOk(clash(p('8080:80')[0]!, p('8080:80/udp')[0]!), 'tcp beside udp');
  t.ok(clash(p('8080:80')[0]!, p('127.0.0.1:8080:80')[0]!), 'wildcard against a specific address');
  t.ok(clash(p('127.0.0.1:8080:80')[0]!, p('8080:80')[0]!), 'and the other way round');
  t.notOk(clash(p('127.0.0.1:8080:80')[0]!, p('192.0.2.1:8080:80')[0]!), 'two specific addresses');
  t.notOk(clash(p('8080:80')[0]!, p('8081:80')[0]!));
});

t.test('conflicts: within one container, between new ones, against the records; names who holds it', async (t) => {
  const web = rec('web', p('8080:80'));
  const throwsConflict = (fn: () => void, re: RegExp, what: string) => {
    const e = caught(fn);
    t.ok(e instanceof ConflictError && re.test(e.message) && /^publish: /.test(e.message), `${what}: ${(e as Error | undefined)?.message}`);
  };
  throwsConflict(() => checkPortConflicts([web], [rec('x', p('8080:9'))]), /0\.0\.0\.0:8080\/tcp of x is already published by web/, 'against a record');
  throwsConflict(() => checkPortConflicts([web], [rec('x', p('127.0.0.1:8080:9'))]), /already published by web \(0\.0\.0\.0:8080\/tcp\)/, 'specific against the recorded wildcard');
  throwsConflict(() => checkPortConflicts([], [rec('x', [...p('8000-8010:8000-8010'), ...p('8010:1')])]), /8010\/tcp of x is given twice/, 'overlapping ranges in one container');
  throwsConflict(() => checkPortConflicts([], [rec('x', p('9000:1')), rec('y', p('9000:2'))]), /of y is already published by x/, 'two new containers');
  t.doesNotThrow(() => checkPortConflicts([web], [rec('x', [...p('8080:80/udp'), ...p('8081:80')])]), 'udp beside tcp, another port');
  t.doesNotThrow(() => checkPortConflicts([web], [web]), 'a repeated create of the same container is not a conflict with itself');
  t.doesNotThrow(() => checkPortConflicts([rec('old', p('8080:80')), rec('a', p('192.0.2.1:9:9')), rec('b', p('192.0.2.2:9:9'))], []), 'records are not judged against each other');
});
