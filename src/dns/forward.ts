// Forwarding of the queries nslab's zones do not answer: UDP with a timeout, TCP for TCP
// queries, each upstream in turn; undefined when none answers (the server says SERVFAIL).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { framed, unframe } from './tcp-frame.js';

/** How long one upstream gets to answer before the next is tried. */
export const UPSTREAM_TIMEOUT_MS = 2000;

/** The message ID of a DNS message (its first two bytes). */
const idOf = (m: Buffer) => m.readUInt16BE(0);

/** One UDP exchange with `server`: the reply with the query's ID from that address, or undefined after `ms`. */
function udpOnce(msg: Buffer, server: string, ms: number, port: number): Promise<Buffer | undefined> {
  return new Promise((res) => {
    // A socket per query: a fresh random source port, and no ID to match across queries.
    const s = createSocket(server.includes(':') ? 'udp6' : 'udp4');
    const done = (r: Buffer | undefined) => {
      clearTimeout(timer);
      s.close();
      res(r);
    };
    const timer = setTimeout(() => done(undefined), ms);
    s.on('error', () => done(undefined));
    s.on('message', (r, rinfo) => {
      if (rinfo.address === server && r.length >= 12 && idOf(r) === idOf(msg)) done(r);
    });
    s.send(msg, port, server, (e) => e && done(undefined));
  });
}

/** One TCP exchange (RFC 1035 4.2.2: two length bytes before each message), or undefined after `ms`. */
function tcpOnce(msg: Buffer, server: string, ms: number, port: number): Promise<Buffer | undefined> {
  return new Promise((res) => {
    let got: Buffer = Buffer.alloc(0);
    const s = connect({ host: server, port });
    const done = (r: Buffer | undefined) => {
      clearTimeout(timer);
      s.destroy();
      res(r);
    };
    const timer = setTimeout(() => done(undefined), ms);
    s.on('error', () => done(undefined));
    s.on('close', () => done(undefined));
    s.on('connect', () => s.write(framed(msg)));
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      const [first] = unframe(got).messages;
      if (first) done(first);
    });
  });
}

/**
 * Ask `servers` in turn (each gets `ms`) until one answers; the answer as it came (the query's
 * ID is the client's own, so it passes back unchanged). Idempotent: nothing is kept. `port`: 53
 * (tests use another).
 */
export async function forward(msg: Buffer, servers: readonly string[], tcp: boolean, ms = UPSTREAM_TIMEOUT_MS, port = 53): Promise<Buffer | undefined> {
  for (const server of servers) {
    const r = await (tcp ? tcpOnce(msg, server, ms, port) : udpOnce(msg, server, ms, port));
    if (r) return r;
  }
  return undefined;
}
