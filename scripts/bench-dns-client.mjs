// The bench's DNS client (run inside a container's namespace): CLIENTS concurrent UDP clients,
// each asking A queries for NAMES in turn, one at a time, until COUNT queries in all or
// MAX_MS have passed; prints {"qps":…,"p99":…,"answered":…,"lost":…,"seen":…} (latencies in ms;
// seen: every answer, the warm-up's too).
// The first WARM answers are not counted (the JIT and the server's caches warming up), and the
// hot path allocates nothing: on a 2-core VM the client shares the CPUs with the server, and a
// client that decodes every answer measures its own garbage collector at p99.
// usage: node bench-dns-client.mjs SERVER PORT COUNT CLIENTS MAX_MS NAME...
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

const [server, port, count, clients, maxMs, ...names] = process.argv.slice(2);
const WARM = 1000;
const total = Number(count) + WARM, deadline = performance.now() + Number(maxMs);
// Encoded once (dns-packet); the hot path only writes the id.
const queries = names.map((name) => dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }));
const lat = new Float64Array(total);
let sent = 0, seen = 0, answered = 0, lost = 0, start = performance.now();

/** One client: a socket, one query in flight; a query unanswered for 1 s is counted lost. */
function client(k) {
  return new Promise((done) => {
    const s = createSocket('udp4');
    // Its own copies: send() reads the buffer a tick later (after the address "lookup"), so
    // clients sharing one would send each other's ids (seen with fewer names than clients).
    const mine = queries.map((q) => Buffer.from(q));
    // Each client its own id range: an answer is matched to the query in flight by id.
    let id = k << 12, t0 = 0, timer;
    const next = () => {
      clearTimeout(timer);
      if (sent >= total || performance.now() > deadline) return s.close(done);
      const q = mine[sent++ % mine.length];
      id = (id + 1) & 0xffff;
      q.writeUInt16BE(id, 0);
      t0 = performance.now();
      s.send(q, Number(port), server);
      timer = setTimeout(() => (lost++, next()), 1000);
    };
    s.on('message', (m) => {
      if (m.length < 12 || m.readUInt16BE(0) !== id) return;
      // An answer: RCODE 0 and at least one record in the answer section (header bytes 3 and 6-7).
      const ok = (m[3] & 0x0f) === 0 && m.readUInt16BE(6) > 0;
      if (++seen === WARM) start = performance.now();
      else if (seen > WARM) {
        if (ok) lat[answered++] = performance.now() - t0;
        else lost++;
      }
      next();
    });
    s.bind(0, () => next());
  });
}

await Promise.all(Array.from({ length: Number(clients) }, (_, k) => client(k)));
const secs = (performance.now() - start) / 1000;
const l = lat.subarray(0, answered).sort();
const p99 = answered ? l[Math.min(answered - 1, Math.floor(answered * 0.99))] : NaN;
console.log(JSON.stringify({ qps: answered / secs, p99, answered, lost, seen }));
