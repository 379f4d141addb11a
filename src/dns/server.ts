// nslabd's embedded DNS server: UDP and TCP port 53 on each nslab network's gateway address in
// the host's namespace (never a wildcard), answering from that network's zone, forwarding the rest.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import type { Logger } from 'pino';
import { hostResolvers } from '../kernel/netns-files.js';
import type { State } from '../state/types.js';
import type { DecodedPacket } from 'dns-packet';
import { answer, decodeQuery, inScope, RCODE, reply, RoundRobin } from './answer.js';
import { forward } from './forward.js';
import { ReplyCache } from './reply-cache.js';
import { framed, unframe } from './tcp-frame.js';
import { buildZones, registrations, upstreamsFor, type Zones } from './zone.js';

export const DNS_PORT = 53;

/** A TCP client idle this long is dropped (RFC 7766 suggests seconds, not minutes). */
const TCP_IDLE_MS = 10000;

export interface DnsServerOptions {
  log: Logger;
  /** nslabd's --dns: the upstreams of containers that have none of their own. */
  daemonDns: readonly string[];
  /** Port to bind (tests and the bench may use another); 53 by default. */
  port?: number;
}

interface Listener {
  udp: Socket;
  tcp: Server;
  rr: RoundRobin;
  /** UDP replies to this network's own names, emptied whenever the zones change. */
  replies: ReplyCache;
  /** Open TCP connections, ended when the listener closes. */
  conns: Set<TcpSocket>;
}

/** A name that came or went: "network name address". */
export interface Registration {
  network: string;
  name: string;
  address: string;
}

const parse = (line: string): Registration => {
  const [network, name, address] = line.split(' ');
  return { network: network!, name: name!, address: address! };
};

export class DnsServer {
  private zones: Zones = { byGateway: new Map(), dnsOf: new Map() };
  private readonly listeners = new Map<string, Listener>();
  private host: readonly string[] = [];

  constructor(private readonly o: DnsServerOptions) {}

  /** Gateways being served now. */
  get serving(): string[] {
    return [...this.listeners.keys()];
  }

  /**
   * Serve exactly the networks of `state`: zones rebuilt, new gateways bound, removed ones
   * closed. A gateway that cannot be bound is one warning and is tried again at the next
   * refresh. Idempotent: the same state twice binds nothing and changes no name. Returns the
   * names added and removed since the previous refresh.
   */
  async refresh(state: State): Promise<{ added: Registration[]; removed: Registration[] }> {
    const before = registrations(this.zones);
    this.zones = buildZones(state);
    for (const l of this.listeners.values()) l.replies.clear();
    this.host = hostResolvers().nameservers;
    for (const [gw, l] of this.listeners) {
      if (!this.zones.byGateway.has(gw)) {
        this.listeners.delete(gw);
        await closeListener(l);
      }
    }
    for (const [gw, zone] of this.zones.byGateway) {
      if (this.listeners.has(gw)) continue;
      try {
        this.listeners.set(gw, await this.listen(gw));
      } catch (e) {
        this.o.log.warn(`DNS for network ${zone.network}: cannot listen on ${gw} port ${this.o.port ?? DNS_PORT} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); names on it resolve from hosts files only`);
      }
    }
    const after = registrations(this.zones);
    return { added: [...after].filter((r) => !before.has(r)).map(parse), removed: [...before].filter((r) => !after.has(r)).map(parse) };
  }

  /** Close every socket. Idempotent. */
  async close(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map(closeListener));
  }

  /** Bind UDP and TCP on `gw`; both or neither. */
  private async listen(gw: string): Promise<Listener> {
    const port = this.o.port ?? DNS_PORT;
    const rr = new RoundRobin();
    const replies = new ReplyCache();
    const conns = new Set<TcpSocket>();
    const udp = createSocket({ type: 'udp4' });
    const tcp = createServer((s) => {
      conns.add(s);
      s.on('close', () => conns.delete(s));
      this.serveTcp(gw, rr, s);
    });
    try {
      await new Promise<void>((res, rej) => {
        udp.once('error', rej);
        udp.bind({ address: gw, port, exclusive: true }, () => res());
      });
      await new Promise<void>((res, rej) => {
        tcp.once('error', rej);
        tcp.listen({ host: gw, port }, () => res());
      });
    } catch (e) {
      await closeListener({ udp, tcp, rr, replies, conns });
      throw e;
    }
    udp.on('error', (e) => this.o.log.warn(`DNS on ${gw}: ${e.message}`));
    tcp.on('error', (e) => this.o.log.warn(`DNS on ${gw} (tcp): ${e.message}`));
    udp.on('message', (msg, rinfo) => {
      // The zone's own names are answered in this turn of the event loop (no promise on the
      // hot path); only forwarding waits.
      const out = this.local(gw, rr, msg, rinfo.address, replies);
      if (Buffer.isBuffer(out)) udp.send(out, rinfo.port, rinfo.address);
      else if (out) void this.upstream(out, msg, rinfo.address, false).then((r) => udp.send(r, rinfo.port, rinfo.address));
    });
    return { udp, tcp, rr, replies, conns };
  }

  /**
   * The reply to one message that arrived on `gw` from `source` when the zone answers it (or
   * refuses it), the decoded query when it goes upstream, undefined when it is not a query
   * (dropped). `replies` is the UDP path's cache (TCP has none: its replies are not truncated).
   */
  private local(gw: string, rr: RoundRobin, msg: Buffer, source: string, replies?: ReplyCache): Buffer | DecodedPacket | undefined {
    const zone = this.zones.byGateway.get(gw);
    const cache = zone && replies && inScope(zone, source) ? replies : undefined;
    const kept = cache?.get(msg);
    if (kept) return kept;
    const q = decodeQuery(msg);
    if (!q) return undefined;
    if (!zone) return reply(q, RCODE.REFUSED);
    const out = answer(zone, q, source, rr, !!replies);
    if (out === 'forward') return q;
    cache?.put(msg, out);
    return out;
  }

  /** The upstream's reply to query `q` (the message `msg`) from `source`, or SERVFAIL. */
  private async upstream(q: DecodedPacket, msg: Buffer, source: string, tcp: boolean): Promise<Buffer> {
    const servers = upstreamsFor(this.zones, source, this.o.daemonDns, this.host);
    const got = servers.length ? await forward(msg, servers, tcp) : undefined;
    if (!got) this.o.log.debug({ source, servers }, 'DNS: no upstream answered; SERVFAIL');
    return got ?? reply(q, RCODE.SERVFAIL);
  }

  /** The reply to one message over TCP, answered or forwarded; undefined when it is not a query. */
  private async resolveTcp(gw: string, rr: RoundRobin, msg: Buffer, source: string): Promise<Buffer | undefined> {
    const out = this.local(gw, rr, msg, source);
    return Buffer.isBuffer(out) || !out ? out : this.upstream(out, msg, source, true);
  }

  /** DNS over TCP: messages with a two-byte length prefix, several per connection. */
  private serveTcp(gw: string, rr: RoundRobin, s: TcpSocket): void {
    let buf: Buffer = Buffer.alloc(0);
    s.setTimeout(TCP_IDLE_MS, () => s.destroy());
    s.on('error', () => s.destroy());
    s.on('data', (d) => {
      const { messages, rest } = unframe(Buffer.concat([buf, d]));
      buf = rest;
      for (const msg of messages) {
        void this.resolveTcp(gw, rr, msg, s.remoteAddress ?? '').then((out) => {
          if (out && !s.destroyed) s.write(framed(out));
        });
      }
    });
  }
}

async function closeListener(l: Listener): Promise<void> {
  for (const s of l.conns) s.destroy();
  await new Promise<void>((res) => {
    try {
      l.udp.close(() => res());
    } catch {
      res(); // never bound
    }
  });
  await new Promise<void>((res) => (l.tcp.listening ? l.tcp.close(() => res()) : res()));
}
