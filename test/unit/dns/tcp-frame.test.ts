// DNS over TCP's framing: two length bytes before each message, messages split and joined across reads.
import t from 'tap';
import { framed, unframe } from '../../../src/dns/tcp-frame.js';

t.test('framed puts the length first; unframe takes back every whole message', async (t) => {
  const a = Buffer.from('first message'), b = Buffer.from('second');
  t.same([...framed(a).subarray(0, 2)], [0, a.length]);
  const wire = Buffer.concat([framed(a), framed(b)]);
  const all = unframe(wire);
  t.same(all.messages.map(String), ['first message', 'second']);
  t.equal(all.rest.length, 0);
});

t.test('a message split across reads waits for its end; a lone length byte too', async (t) => {
  const wire = Buffer.concat([framed(Buffer.from('abc')), framed(Buffer.from('defgh'))]);
  let buf: Buffer = Buffer.alloc(0);
  const got: string[] = [];
  for (const chunk of [wire.subarray(0, 1), wire.subarray(1, 4), wire.subarray(4, 6), wire.subarray(6)]) {
    const r = unframe(Buffer.concat([buf, chunk]));
    got.push(...r.messages.map(String));
    buf = r.rest;
  }
  t.same(got, ['abc', 'defgh']);
  t.same(unframe(Buffer.from([0])).messages, [], 'one byte: not even a length');
  t.same(unframe(Buffer.from([0, 0])).messages.map((m) => m.length), [0], 'an empty message is a message');
});
