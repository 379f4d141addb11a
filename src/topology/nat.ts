// MASQUERADE rules and published ports (DNAT) read from `iptables-save -t nat`, whoever wrote them.
import { parseNetworkComment, parsePortComment } from '../firewall/iptables/names.js';
import { natRules, reachable } from '../grade/nat.js';
import type { Masquerade, Owner, Port } from './model.js';

type Words = readonly string[];

/** The value after `flag`, and whether it is negated (`! -o br0`). */
function option(w: Words, flag: string): { value: string; negated: boolean } | undefined {
  const i = w.indexOf(flag);
  return i < 0 ? undefined : { value: w[i + 1] ?? '', negated: w[i - 1] === '!' };
}

/** The owner a rule's comment names: a network's rule, a port's, or nslab's shared jumps (`nslab`). */
function ownerOfRule(w: Words, labId: string | undefined): { owner: Owner; network?: string; container?: string } {
  const comment = option(w, '--comment')?.value;
  const port = parsePortComment(comment);
  if (port) return { owner: { nslab: true, lab: port.lab, thisLab: port.lab === labId }, network: port.network, container: port.container };
  const net = parseNetworkComment(comment);
  if (net) return { owner: { nslab: true, ...(net.lab ? { lab: net.lab } : {}), thisLab: !!net.lab && net.lab === labId }, network: net.network };
  return { owner: { nslab: false } };
}

/** A rule as iptables-save wrote it, without the comment match (what a person reads). */
function ruleText(w: Words): string {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '-m' && w[i + 1] === 'comment') i += 1;
    else if (w[i] === '--comment') i += 1;
    else out.push(w[i]!);
  }
  return out.join(' ');
}

/**
 * Every MASQUERADE reached from nat POSTROUTING. A port's hairpin MASQUERADE (nslab's rules
 * with a port comment, `-d IP/32 --dport`) belongs to the port and is left out. Pure.
 */
export function masqueradesOf(natText: string, labId: string | undefined): Masquerade[] {
  const out: Masquerade[] = [];
  for (const w of reachable(natRules(natText), 'POSTROUTING')) {
    if (option(w, '-j')?.value !== 'MASQUERADE') continue;
    const { owner, network, container } = ownerOfRule(w, labId);
    if (container) continue;
    const o = option(w, '-o');
    const s = option(w, '-s');
    out.push({
      ...(s && !s.negated ? { source: s.value } : {}),
      ...(o ? (o.negated ? { notOut: o.value } : { out: o.value }) : {}),
      ...(network ? { network } : {}),
      owner,
      rule: ruleText(w),
    });
  }
  return out;
}

/** Every DNAT reached from nat PREROUTING or OUTPUT (the same rule reached from both counts once). Pure. */
export function portsOf(natText: string, labId: string | undefined): Port[] {
  const rules = natRules(natText);
  const seen = new Set<Words>();
  const out: Port[] = [];
  for (const w of [...reachable(rules, 'PREROUTING'), ...reachable(rules, 'OUTPUT')]) {
    if (seen.has(w) || option(w, '-j')?.value !== 'DNAT') continue;
    seen.add(w);
    const to = option(w, '--to-destination')?.value ?? '';
    const [toIp, toPort] = to.split(':');
    if (!toIp) continue;
    const { owner, network, container } = ownerOfRule(w, labId);
    const d = option(w, '-d');
    out.push({
      protocol: option(w, '-p')?.value ?? 'all',
      ...(d && !d.negated ? { hostIp: d.value.replace(/\/32$/, '') } : {}),
      hostPort: option(w, '--dport')?.value ?? option(w, '--dports')?.value ?? '*',
      toIp,
      ...(toPort ? { toPort } : {}),
      ...(container ? { container } : {}),
      ...(network ? { network } : {}),
      owner,
    });
  }
  return out;
}
