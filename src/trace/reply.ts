// The reply's way back: conntrack recognises it (ESTABLISHED, nat not consulted again) and undoes the NAT of the first packet.
import { hookHop } from './hooks.js';
import type { Hop } from './hops.js';
import type { HostPath } from './host-path.js';
import type { HostView } from './host.js';
import type { Packet } from './packet.js';

const at = (ip: string, port?: number) => `${ip}${port ? `:${port}` : ''}`;

/**
 * The reply to packet `orig`, which the host passed as `path` says: the rules it meets on the
 * way back (raw, mangle, filter; nat is skipped for an established connection) and the
 * rewrites conntrack undoes. Pure: the interfaces are the first packet's, reversed.
 */
export function replyPath(h: HostView, orig: Packet, path: HostPath): Hop[] {
  const f = path.packet;
  const hops: Hop[] = [];
  const who = f.dport ? `${orig.proto} reply` : orig.proto === 'icmp' ? 'echo reply' : 'reply';
  if (path.outcome.kind === 'delivered' && f.out === undefined && !f.bridged) {
    hops.push({ kind: 'note', at: 'host', text: `the host answers from its own stack (OUTPUT, then POSTROUTING) straight back to ${orig.src}` });
    return hops;
  }
  hops.push({ kind: 'note', at: 'host', text: `the ${who} ${at(f.dst, f.dport)} → ${f.src} belongs to a connection conntrack knows: ESTABLISHED, and nat is not consulted again` });
  let reply: Packet = { src: f.dst, dst: f.src, proto: orig.proto, ...(f.dport ? { sport: f.dport } : {}), ctstate: 'ESTABLISHED', in: f.out, out: f.in, bridged: f.bridged, physIn: f.physOut, physOut: f.physIn };
  if (!f.in) return hops;
  const pre = hookHop(h, 'PREROUTING', { ...reply, out: undefined });
  if (pre.hop) hops.push({ ...pre.hop, text: pre.hop.text.replace(/^PREROUTING/, 'PREROUTING of the reply') });
  if (pre.dropped) return [...hops, { kind: 'stop', at: 'host', text: `the reply is dropped: ${pre.dropped}` }];
  if (f.src !== orig.src) {
    hops.push({ kind: 'note', at: 'host', text: `conntrack undoes the source NAT (MASQUERADE): destination ${f.src} → ${orig.src}` });
    reply = { ...reply, dst: orig.src };
  }
  const fwd = hookHop(h, 'FORWARD', reply);
  if (fwd.hop) hops.push({ ...fwd.hop, text: fwd.hop.text.replace(/^FORWARD/, 'FORWARD of the reply') });
  if (fwd.dropped) return [...hops, { kind: 'stop', at: 'host', text: `the reply is dropped: ${fwd.dropped}` }];
  if (f.dst !== orig.dst || f.dport !== orig.dport) {
    hops.push({ kind: 'note', at: 'host', text: `conntrack undoes the DNAT: source ${at(f.dst, f.dport)} → ${at(orig.dst, orig.dport)}, so the client sees the address it asked for` });
  }
  hops.push({ kind: 'deliver', at: 'host', text: `the reply leaves by ${f.in} back to ${orig.src}` });
  return hops;
}
