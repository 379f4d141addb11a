// Each match of a rule tested against the packet, on paper: yes, no, or "cannot evaluate" with why.
import { inCidr, ip4 } from './ip4.js';
import type { HostFacts, Packet } from './packet.js';
import type { MatchOpt } from './rule.js';

/** The answer for one match, or for a whole rule (all matches together). */
export type Answer = { is: 'yes' } | { is: 'no' } | { is: 'unknown'; why: string };

const YES: Answer = { is: 'yes' };
const NO: Answer = { is: 'no' };
const bool = (b: boolean): Answer => (b ? YES : NO);
const unknown = (m: MatchOpt): Answer => ({ is: 'unknown', why: `${m.module ? `-m ${m.module} ` : ''}${m.neg ? '! ' : ''}${[m.opt, ...m.values].join(' ')}` });

const PROTO_NUM: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };
const ICMP_TYPE: Record<string, number> = { 'echo-request': 8, 'echo-reply': 0, any: -1 };

/** `-i br+` style: a trailing + matches any suffix. */
function iface(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/** A port list: "80", "8000:8100", "80,443,8000:8100". */
function port(list: string, p: number | undefined): boolean | undefined {
  if (p === undefined) return undefined;
  return list.split(',').some((part) => {
    const [a, b] = part.split(':');
    const lo = a === '' || a === undefined ? 0 : Number(a), hi = b === undefined ? lo : b === '' ? 65535 : Number(b);
    return p >= lo && p <= hi;
  });
}

/** addrtype's types for one address: LOCAL (the host's own), BROADCAST, MULTICAST, UNICAST. */
function addrType(types: string, addr: string, host: HostFacts): boolean | undefined {
  const n = ip4(addr);
  if (n === undefined) return undefined;
  const is = (t: string): boolean | undefined => {
    if (t === 'LOCAL') return host.local(addr);
    if (t === 'MULTICAST') return n >>> 28 === 14;
    if (t === 'BROADCAST') return addr === '255.255.255.255';
    if (t === 'UNICAST') return !host.local(addr) && n >>> 28 !== 14 && addr !== '255.255.255.255';
    return undefined;
  };
  const answers = types.split(',').map(is);
  return answers.some((a) => a === true) ? true : answers.some((a) => a === undefined) ? undefined : false;
}

function test(m: MatchOpt, p: Packet, host: HostFacts): boolean | undefined {
  const v = m.values[0] ?? '';
  switch (m.opt) {
    case '-s': case '--source': return inCidr(p.src, v);
    case '-d': case '--destination': return inCidr(p.dst, v);
    case '-i': case '--in-interface': return iface(v, p.in);
    case '-o': case '--out-interface': return iface(v, p.out);
    case '-p': case '--protocol': return v === 'all' || v === '0' || PROTO_NUM[p.proto] === (PROTO_NUM[v] ?? Number(v));
    case '-f': return false; // the trace follows whole first packets, never later fragments
  }
  switch (m.module) {
    case 'comment': return true;
    case 'tcp': case 'udp':
      if (m.opt === '--dport' || m.opt === '--destination-port') return port(v, p.dport);
      if (m.opt === '--sport' || m.opt === '--source-port') return port(v, p.sport);
      if (m.opt === '--syn') return p.proto === 'tcp' && p.ctstate === 'NEW';
      return undefined;
    case 'multiport':
      if (m.opt === '--dports' || m.opt === '--destination-ports') return port(v, p.dport);
      if (m.opt === '--sports' || m.opt === '--source-ports') return port(v, p.sport);
      if (m.opt === '--ports') return port(v, p.dport) || port(v, p.sport);
      return undefined;
    case 'icmp': {
      if (m.opt !== '--icmp-type') return undefined;
      const want = ICMP_TYPE[v] ?? Number(v.split('/')[0]);
      return want === -1 || want === (p.ctstate === 'NEW' ? 8 : 0);
    }
    case 'conntrack':
      if (m.opt === '--ctstate') return v.split(',').some((x) => (x === 'DNAT' ? !!p.dnat : x === 'SNAT' ? !!p.snat : x === p.ctstate));
      if (m.opt === '--ctdir') return v === (p.ctstate === 'NEW' ? 'ORIGINAL' : 'REPLY');
      return undefined;
    case 'state': return m.opt === '--state' ? v.split(',').includes(p.ctstate) : undefined;
    case 'addrtype':
      if (m.opt === '--dst-type') return addrType(v, p.dst, host);
      if (m.opt === '--src-type') return addrType(v, p.src, host);
      return undefined;
    case 'physdev':
      if (m.opt === '--physdev-in') return iface(v, p.physIn);
      if (m.opt === '--physdev-out') return iface(v, p.physOut);
      if (m.opt === '--physdev-is-bridged') return !!p.bridged;
      if (m.opt === '--physdev-is-in') return p.physIn !== undefined;
      if (m.opt === '--physdev-is-out') return p.physOut !== undefined;
      return undefined;
    case 'limit': return true; // one packet is within any burst
  }
  return undefined;
}

/** One match: its test, inverted when negated; "unknown" for what the trace cannot evaluate. */
export function matchOne(m: MatchOpt, p: Packet, host: HostFacts): Answer {
  const r = test(m, p, host);
  return r === undefined ? unknown(m) : bool(m.neg ? !r : r);
}

/** Every match of a rule: no if any says no, yes if all say yes, otherwise unknown (naming the first it could not evaluate). */
export function matchAll(ms: readonly MatchOpt[], p: Packet, host: HostFacts): Answer {
  let first: Answer | undefined;
  for (const m of ms) {
    const a = matchOne(m, p, host);
    if (a.is === 'no') return NO;
    if (a.is === 'unknown') first ??= a;
  }
  return first ?? YES;
}
