// The bench's DNS client (run inside a container's namespace): CLIENTS concurrent UDP clients,
// each asking A queries for NAMES in turn, one at a time, until COUNT queries in all or
// MAX_MS have passed; prints {"qps":…,"p99":…,"answered":…,"lost":…} (latencies in ms).
// usage: node bench-dns-client.mjs SERVER PORT COUNT CLIENTS MAX_MS NAME...
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';

const [server, port, count, clients, maxMs, ...names] = process.argv.slice(2);
const total = Number(count), deadline = performance.now() + Number(maxMs);
const lat = [];
let sent = 0, lost = 0;

/** One client: a socket, one query in flight; a query unanswered for 1 s is counted lost. */
function client(k) {
  return new Promise((done) => {
    const s = createSocket('udp4');
    let id = 0, t0 = 0, timer;
    const next = () => {
      clearTimeout(timer);
      if (sent >= total || performance.now() > deadline) return s.close(done);
      const name = names[sent++ % names.length];
      id = (id + 1) & 0xffff;
      t0 = performance.now();
      s.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }] }), Number(port), server);
      timer = setTimeout(() => (lost++, next()), 1000);
    };
    s.on('message', (m) => {
      if (m.readUInt16BE(0) !== id) return;
      const a = dnsPacket.decode(m);
      if (a.answers?.length) lat.push(performance.now() - t0);
      else lost++;
      next();
    });
    s.bind(0, () => next());
  });
}

const start = performance.now();
await Promise.all(Array.from({ length: Number(clients) }, (_, k) => client(k)));
const secs = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
const p99 = lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))] : NaN;
console.log(JSON.stringify({ qps: lat.length / secs, p99, answered: lat.length, lost }));
