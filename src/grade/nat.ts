// The nat table as a student may have written it: MASQUERADE of a subnet and DNAT of a port,
// in POSTROUTING/PREROUTING or in any chain those reach, in each equivalent form.
import { parseIptablesSave } from '../firewall/iptables/save.js';
import { ipToBig, rangeOf, type Cidr4 } from '../ipam/cidr.js';

type Words = readonly string[];

/** The rules of a table (nat by default) by chain, as word lists without `-A CHAIN`. */
export function natRules(text: string, table = 'nat'): Map<string, Words[]> {
  const out = new Map<string, Words[]>();
  for (const w of parseIptablesSave(text).rules.get(table) ?? []) {
    const chain = w[1]!;
    out.set(chain, [...(out.get(chain) ?? []), w.slice(2)]);
  }
  return out;
}

/** The value after `flag` in a rule, with whether it was negated (`! -o br0`). */
function option(w: Words, flag: string): { value: string; negated: boolean } | undefined {
  const i = w.indexOf(flag);
  return i < 0 ? undefined : { value: w[i + 1] ?? '', negated: w[i - 1] === '!' };
}

/** `-m comment --comment X` carries no meaning for matching: drop it. */
function withoutComments(w: Words): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '-m' && w[i + 1] === 'comment') i += 1;
    else if (w[i] === '--comment') i += 1;
    else out.push(w[i]!);
  }
  return out;
}

/**
 * The rules reached from `start`: its own, then those of every chain it jumps or goes to
 * (whatever the jump's matches: reachability, not a packet's path).
 */
export function reachable(rules: Map<string, Words[]>, start: string): Words[] {
  const seen = new Set<string>();
  const out: Words[] = [];
  const visit = (chain: string) => {
    if (seen.has(chain)) return;
    seen.add(chain);
    for (const w of rules.get(chain) ?? []) {
      out.push(w);
      const target = option(w, '-j')?.value ?? option(w, '-g')?.value;
      if (target && rules.has(target)) visit(target);
    }
  };
  visit(start);
  return out;
}

/** Does a source match (absent: everything) cover every address of `subnet`? */
function covers(source: string | undefined, subnet: Cidr4): boolean {
  if (source === undefined) return true;
  const r = rangeOf(source);
  return !!r && r.first <= subnet.first && r.last >= subnet.last;
}

/**
 * Is `w` a MASQUERADE of the traffic of `subnet` leaving for elsewhere? Accepted: `-j MASQUERADE`
 * with `-s` covering the subnet (or none), optionally `! -o BRIDGE` or `-o` an uplink (not the
 * bridge), optionally `! -d …`; any other match makes it a narrower rule that does not count.
 */
export function isMasqueradeOf(w: Words, subnet: Cidr4, bridge: string): boolean {
  const rest = withoutComments(w);
  if (option(rest, '-j')?.value !== 'MASQUERADE') return false;
  const src = option(rest, '-s');
  if (src?.negated || !covers(src?.value, subnet)) return false;
  const out = option(rest, '-o');
  if (out && !out.negated && out.value === bridge) return false;
  const dst = option(rest, '-d');
  if (dst && !dst.negated) return false;
  const known = new Set(['-s', '-o', '-d', '-j']);
  for (let i = 0; i < rest.length; i++) {
    const x = rest[i]!;
    if (x === '!') continue;
    if (!known.has(x)) return false;
    i += 1; // the flag's value
    if (x === '-j' && i + 1 < rest.length) return false; // MASQUERADE --to-ports …: a narrower rule
  }
  return true;
}

/** The first MASQUERADE rule for `subnet` reached from nat POSTROUTING, as iptables-save prints it. */
export function findMasquerade(text: string, subnet: Cidr4, bridge: string): string | undefined {
  const hit = reachable(natRules(text), 'POSTROUTING').find((w) => isMasqueradeOf(w, subnet, bridge));
  return hit && hit.join(' ');
}

/** "8080" or "8000:8010" (iptables' --dport) contains `port`? */
const portIn = (spec: string, port: number) => {
  const [a, b] = spec.split(':').map(Number);
  return b === undefined ? a === port : port >= a! && port <= b;
};

/** Does `--to-destination` (IP[:PORT[-END]]) send host port `hostPort` of a rule matching `first…` to ip:port? */
function sendsTo(dest: string, ip: string, port: number, hostPort: number, dportStart: number): boolean {
  const [to, ports] = dest.split(':');
  if (to !== ip) return false;
  if (ports === undefined) return port === hostPort;
  const [a, b] = ports.split('-').map(Number);
  // A range DNAT maps the n-th host port of the match to the n-th port of the range.
  return b === undefined ? a === port : a! + (hostPort - dportStart) === port && port <= b;
}

/** A DNAT reached from nat PREROUTING forwarding proto/hostPort (on hostIp, when given) to ip:port. */
export function findDnat(text: string, p: { protocol: string; hostIp?: string; hostPort: number; ip: string; port: number }): string | undefined {
  const hit = reachable(natRules(text), 'PREROUTING').find((w) => {
    if (option(w, '-j')?.value !== 'DNAT' || option(w, '-p')?.value !== p.protocol) return false;
    const dport = option(w, '--dport');
    const dest = option(w, '--to-destination');
    if (!dport || dport.negated || !portIn(dport.value, p.hostPort) || !dest) return false;
    const d = option(w, '-d');
    const r = d && !d.negated ? rangeOf(d.value) : undefined;
    if (p.hostIp && !(r && ipToBig(p.hostIp) >= r.first && ipToBig(p.hostIp) <= r.last)) return false;
    return sendsTo(dest.value, p.ip, p.port, p.hostPort, Number(dport.value.split(':')[0]));
  });
  return hit && hit.join(' ');
}

/**
 * How the filter table lets the bridge's traffic be forwarded: the FORWARD policy ACCEPT (the
 * seed's `iptables --policy FORWARD ACCEPT`), else the first ACCEPT rule reached from FORWARD
 * for traffic coming in from the bridge (`-i BRIDGE`); undefined when neither. A DROP rule ahead
 * of them is not looked for.
 */
export function findForward(text: string, bridge: string): string | undefined {
  if (parseIptablesSave(text).policies.get('filter/FORWARD') === 'ACCEPT') return 'policy ACCEPT';
  const hit = reachable(natRules(text, 'filter'), 'FORWARD').find((w) => {
    const i = option(w, '-i');
    return option(w, '-j')?.value === 'ACCEPT' && !!i && !i.negated && i.value === bridge;
  });
  return hit && hit.join(' ');
}
