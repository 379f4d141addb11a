// nslab trace's arguments: SRC and DST[:PORT][/PROTO] parsed, defaults, and each bad input refused naming its argument.
import t from 'tap';
import { ValidationError } from '../../../src/errors.js';
import { parseTrace } from '../../../src/trace/parse-target.js';

t.test('defaults: icmp without a port, tcp with one', async (t) => {
  t.same(parseTrace('web', 'db'), { src: { kind: 'container', name: 'web' }, dst: { kind: 'container', name: 'db' }, proto: 'icmp' });
  t.same(parseTrace('web', 'db:5432'), { src: { kind: 'container', name: 'web' }, dst: { kind: 'container', name: 'db' }, proto: 'tcp', port: 5432 });
  t.same(parseTrace('web', '10.0.0.9:53/udp'), { src: { kind: 'container', name: 'web' }, dst: { kind: 'ip', ip: '10.0.0.9' }, proto: 'udp', port: 53 });
  t.same(parseTrace('web', 'world'), { src: { kind: 'container', name: 'web' }, dst: { kind: 'world' }, proto: 'icmp' });
  t.same(parseTrace('world', '198.51.100.1:8080/tcp'), { src: { kind: 'world' }, dst: { kind: 'ip', ip: '198.51.100.1' }, proto: 'tcp', port: 8080 });
  t.same(parseTrace('web', 'db/icmp').proto, 'icmp');
});

t.test('bad input: one ValidationError naming the argument', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['-x', 'db', 'src'],
    ['a/b', 'db', 'src'],
    ['web', '', 'dst'],
    ['web', '10.1.1', 'dst'],
    ['web', '300.1.1.1', 'dst'],
    ['web', 'bad name', 'dst'],
    ['web', 'db:0', 'port'],
    ['web', 'db:65536', 'port'],
    ['web', 'db:http', 'port'],
    ['web', 'db:80/icmp', 'port'],
    ['web', 'db/udp', 'port'],
    ['web', 'db:80/sctp', 'proto'],
    ['world', 'world', 'dst'],
  ];
  for (const [src, dst, field] of cases) {
    let caught: unknown;
    try {
      parseTrace(src, dst);
    } catch (e) {
      caught = e;
    }
    t.ok(caught instanceof ValidationError && caught.field === field, `${src} ${dst} → ${field}: ${(caught as Error | undefined)?.message}`);
  }
});
