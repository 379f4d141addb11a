// The arguments of `nslab trace SRC DST[:PORT][/PROTO]`, parsed and checked before anything is read.
import { ValidationError } from '../errors.js';
import { ip4 } from './ip4.js';

export type Proto = 'tcp' | 'udp' | 'icmp';

/** Where the packet starts: a container (a named network namespace), or the world beyond the host's uplink. */
export type Source = { kind: 'container'; name: string } | { kind: 'world' };

/** Where it goes: a container by name, an IPv4 address, or `world` (an address beyond the default route). */
export type Target = { kind: 'container'; name: string } | { kind: 'ip'; ip: string } | { kind: 'world' };

export interface TraceRequest {
  src: Source;
  dst: Target;
  proto: Proto;
  /** The destination port (tcp and udp only). */
  port?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

function source(text: string): Source {
  if (text === 'world') return { kind: 'world' };
  if (!NAME.test(text) || text === '.' || text === '..') throw new ValidationError('src', `"${text}" is not a container name (or world)`);
  return { kind: 'container', name: text };
}

function target(text: string): Target {
  if (text === 'world') return { kind: 'world' };
  if (/^[\d.]+$/.test(text)) {
    if (ip4(text) === undefined) throw new ValidationError('dst', `"${text}" is not an IPv4 address`);
    return { kind: 'ip', ip: text };
  }
  if (!NAME.test(text) || text === '.' || text === '..') throw new ValidationError('dst', `"${text}" is not a container name, an IPv4 address or world`);
  return { kind: 'container', name: text };
}

/**
 * Parse SRC and DST[:PORT][/tcp|udp|icmp]: the protocol is icmp unless a port is given (then
 * tcp); a port with icmp, or icmp's absence of one, is refused. Pure: throws ValidationError
 * naming the argument (src, dst, port, proto) for bad input.
 */
export function parseTrace(srcText: string, dstText: string): TraceRequest {
  const src = source(srcText);
  const m = /^([^:/]*)(?::([^/]*))?(?:\/(.*))?$/.exec(dstText);
  if (!m || !m[1]) throw new ValidationError('dst', `"${dstText}" is not DST[:PORT][/tcp|udp|icmp]`);
  const dst = target(m[1]);
  let port: number | undefined;
  if (m[2] !== undefined) {
    if (!/^\d{1,5}$/.test(m[2]) || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new ValidationError('port', `"${m[2]}" is not a port (1-65535)`);
    port = Number(m[2]);
  }
  const given = m[3];
  if (given !== undefined && !['tcp', 'udp', 'icmp'].includes(given)) throw new ValidationError('proto', `"${given}" is not tcp, udp or icmp`);
  const proto = (given ?? (port === undefined ? 'icmp' : 'tcp')) as Proto;
  if (proto === 'icmp' && port !== undefined) throw new ValidationError('port', 'icmp has no ports: give tcp or udp (DST:PORT/udp), or leave the port out');
  if (proto !== 'icmp' && port === undefined) throw new ValidationError('port', `${proto} needs a port: DST:PORT/${proto}`);
  if (src.kind === 'world' && dst.kind === 'world') throw new ValidationError('dst', 'from world to world never crosses this host');
  return { src, dst, proto, ...(port === undefined ? {} : { port }) };
}
