// Each rule the packet meets, said in the lab's words: whose rule it is (nslab's network, a published port, yours) and what it does.
import type { Hit, Verdict } from './netfilter-eval.js';
import type { Packet } from './packet.js';

/** What the words need beyond the rule: the packet as the rule saw it and which network owns a bridge. */
export interface WordsContext {
  packet: Packet;
  networkOf(iface: string | undefined): string | undefined;
}

/** The owner a rule's comment names: a network, a container's published port, nslab's shared rules, or nobody. */
export function ownerOf(comment: string | undefined): { kind: 'network'; network: string } | { kind: 'port'; network: string; container: string } | { kind: 'base' } | undefined {
  if (comment === 'nslab') return { kind: 'base' };
  const port = /^nslab:[0-9a-f]{8}:net=([^:]+):ctr=([^:]+)$/.exec(comment ?? '');
  if (port) return { kind: 'port', network: port[1]!, container: port[2]! };
  const net = /^nslab:(?:[0-9a-f]{8}:)?net=([^:]+)$/.exec(comment ?? '');
  return net ? { kind: 'network', network: net[1]! } : undefined;
}

const has = (h: Hit, w: string) => h.line.split(' ').includes(w);
const named = (c: WordsContext, iface: string | undefined) => (c.networkOf(iface) ? `network ${c.networkOf(iface)}` : iface ?? '?');

/** One matched rule in lab words. */
export function hitWords(h: Hit, c: WordsContext): string {
  const o = ownerOf(h.comment);
  const p = c.packet;
  if (h.effect === 'unevaluated') return `cannot evaluate ${h.why}: taken as not matching (if it matched: -j ${h.target})`;
  if (h.effect === 'jump') {
    if (h.target === 'NSLAB-USER') return 'into NSLAB-USER: your own rules (nslab writes none there)';
    if (h.target === 'NSLAB-ISOLATION-2') return `leaves ${named(c, p.in)} for another interface: checked against the other nslab networks`;
    return `jump to ${h.target}${o ? " (nslab's chain)" : ''}`;
  }
  if (!o) {
    const what = h.effect === 'continue' ? `-j ${h.target}` : h.target;
    return `${what} by a rule nslab did not write (${h.table} ${h.chain})${h.why ? `; ${h.why}` : ''}`;
  }
  const net = o.kind === 'base' ? undefined : o.network;
  if (h.chain === 'NSLAB-ISOLATION-2' && h.effect === 'drop') return `dropped by NSLAB-ISOLATION: networks ${c.networkOf(p.in) ?? p.in} and ${net} may not talk`;
  if (h.chain === 'NSLAB-ISOLATION-1' && h.effect === 'drop') return `dropped by NSLAB-ISOLATION: network ${net} is internal (nothing crosses its bridge)`;
  if (h.chain === 'NSLAB-PREROUTING' && h.effect === 'drop') {
    return net ? `dropped by nslab's source check: ${p.src} is not in network ${net}'s subnet` : `dropped by nslab's localhost guard: ${p.dst} did not arrive on lo`;
  }
  if (h.effect === 'masquerade') {
    if (o.kind === 'port') return `hairpin MASQUERADE by nslab (${o.container}'s published port on network ${o.network}): the source becomes ${h.rewrite ?? "the host's address"}, so the reply comes back through the host`;
    return `MASQUERADE by nslab network ${net}: leaves as the host's address on ${p.out}${h.rewrite ? ` (${h.rewrite})` : ''}`;
  }
  if (h.effect === 'dnat' && o.kind === 'port') {
    return `DNAT by nslab: the host's port ${p.dport}/${p.proto} is published by container ${o.container} (network ${o.network}): to ${h.rewrite}`;
  }
  if (h.chain === 'NSLAB-FORWARD') {
    if (o.kind === 'port') return `accepted by NSLAB-FORWARD: new connections from outside to ${o.container}'s published port`;
    if (has(h, '--ctstate')) return `accepted by NSLAB-FORWARD: a reply into network ${net} (conntrack ${p.ctstate})`;
    if (h.line.includes(' -i ') && h.line.includes(' -o ') && !h.line.includes('! -o')) {
      return h.effect === 'drop' ? `dropped by NSLAB-FORWARD: network ${net} has icc off (its containers may not talk)` : `accepted by NSLAB-FORWARD: containers of network ${net} may talk to each other (icc)`;
    }
    return `accepted by NSLAB-FORWARD: network ${net} may send out of its bridge`;
  }
  if (h.chain === 'NSLAB-INPUT') return `accepted by NSLAB-INPUT: DNS to nslabd on network ${net}'s gateway`;
  return `${h.target} by nslab${net ? ` network ${net}` : ''} (${h.table} ${h.chain})`;
}

/** A verdict in words: the deciding rule's, or the chain's policy. */
export function verdictWords(v: Verdict, c: WordsContext): string {
  if ('policy' in v.by) return `${v.by.table} ${v.by.chain} policy ${v.by.policy}${v.by.policy === 'DROP' ? ': dropped (no rule accepted it)' : ''}`;
  return hitWords(v.by, c);
}
