// Grading what a lab's networks must not let through, on paper: a packet walked through the
// filter table's FORWARD hook by the trace's evaluator (src/trace/netfilter-eval.ts), so any
// form of rule a student wrote counts, in any chain FORWARD reaches. Two networks do not talk
// (Docker's isolation), a network with icc false does not pass traffic between its containers,
// an internal network neither reaches the world nor is reached from it.
import type { NetworkSpec } from '../engine/inputs.js';
import { parseIptablesSave, type Ruleset } from '../firewall/iptables/save.js';
import { bigToIp, type Cidr4 } from '../ipam/cidr.js';
import { passHook } from '../trace/netfilter-eval.js';
import { hostFacts } from '../trace/host.js';
import type { HostFacts, Packet } from '../trace/packet.js';
import { fail, pass, type Finding } from './finding.js';
import { steps } from './hints.js';
import type { NetFacts } from './network.js';
import type { KernelView } from './view.js';

/** A graded bridge network: its spec, its subnet and the bridge device found for it. */
interface Graded {
  spec: NetworkSpec;
  subnet: Cidr4;
  dev: string;
}

/** An address of the subnet to stand for its containers (the one after the gateway's usual place). */
const member = (s: Cidr4, n = 2n) => bigToIp(s.first + n <= s.last ? s.first + n : s.first);

/** The address standing for the world: one no subnet of the lab holds (TEST-NET-3, RFC 5737). */
const WORLD = '203.0.113.10';

/** Walk `p` through FORWARD: dropped (by which rule or policy) or let through (by which). */
function forward(rs: Ruleset, p: Packet, host: HostFacts): { dropped: boolean; by: string } {
  const r = passHook(rs, 'FORWARD', p, host);
  const last = r.tables.at(-1);
  if (!last) return { dropped: false, by: 'no filter table' };
  const by = 'line' in last.verdict.by ? last.verdict.by.line : `policy ${last.verdict.by.policy} of ${last.verdict.by.chain}`;
  return { dropped: !!r.dropped, by };
}

const tcp = (src: string, dst: string, i: string, o: string, bridged = false): Packet =>
  ({ src, dst, proto: 'tcp', dport: 80, in: i, out: o, ctstate: 'NEW', ...(bridged ? { bridged: true } : {}) });

/** One direction a check walks: its words, the walk's outcome, and the rule that would close it. */
interface Way {
  way: string;
  r: { dropped: boolean; by: string };
  fix: string;
}

/** ✓ when every way is dropped (naming what dropped each), else ✗ naming the open ways, with their fixes only. */
function bothWays(object: string, id: string, check: string, ways: readonly Way[]): Finding {
  const open = ways.filter((w) => !w.r.dropped);
  if (!open.length) return pass(object, id, check, [...new Set(ways.map((w) => w.r.by))].join('; '));
  return fail(object, id, check, open.map((w) => `${w.way} let through by ${w.r.by}`).join('; '), steps(...open.map((w) => w.fix)));
}

/**
 * One finding per pair of graded bridge networks (isolation), per network with icc false, and
 * per internal network; none when the filter table cannot be read (the forward check says so). Pure.
 */
export function gradeIsolation(nets: ReadonlyArray<{ spec: NetworkSpec; facts: NetFacts }>, view: KernelView): Finding[] {
  if ('error' in view.filter) return [];
  const rs = parseIptablesSave(view.filter.text);
  const host = hostFacts(view.host);
  const graded: Graded[] = nets.flatMap(({ spec, facts }) => (facts.master && facts.subnet ? [{ spec, subnet: facts.subnet, dev: facts.master }] : []));
  const out: Finding[] = [];
  for (let i = 0; i < graded.length; i++) {
    for (const b of graded.slice(i + 1)) {
      const a = graded[i]!;
      if (a.dev === b.dev) continue;
      out.push(bothWays(`network ${a.spec.name}`, 'isolation', `networks ${a.spec.name} and ${b.spec.name} cannot talk (FORWARD drops ${a.dev} → ${b.dev} and back)`, [
        { way: `${a.dev} → ${b.dev}`, r: forward(rs, tcp(member(a.subnet), member(b.subnet), a.dev, b.dev), host), fix: `iptables -I FORWARD -i ${a.dev} -o ${b.dev} -j DROP` },
        { way: `${b.dev} → ${a.dev}`, r: forward(rs, tcp(member(b.subnet), member(a.subnet), b.dev, a.dev), host), fix: `iptables -I FORWARD -i ${b.dev} -o ${a.dev} -j DROP` },
      ]));
    }
  }
  for (const g of graded) {
    const object = `network ${g.spec.name}`;
    if (!g.spec.icc) {
      // Bridged frames reach iptables only through br_netfilter: the rule alone is not enough.
      const check = `traffic between containers of ${g.spec.name} is dropped (icc false: FORWARD drops ${g.dev} → ${g.dev}; bridged frames need br_netfilter)`;
      const r = forward(rs, tcp(member(g.subnet), member(g.subnet, 3n), g.dev, g.dev, true), host);
      out.push(r.dropped ? pass(object, 'icc', check, r.by)
        : fail(object, 'icc', check, `let through by ${r.by}`, steps('modprobe br_netfilter', `iptables -I FORWARD -i ${g.dev} -o ${g.dev} -j DROP`)));
    }
    if (g.spec.internal) {
      const uplink = view.host.routes.find((r) => r.dst === 'default')?.dev ?? 'eth0';
      out.push(bothWays(object, 'internal', `network ${g.spec.name} is internal: FORWARD drops what leaves ${g.dev} for elsewhere and what enters it from elsewhere`, [
        { way: `out to ${uplink}`, r: forward(rs, tcp(member(g.subnet), WORLD, g.dev, uplink), host), fix: `iptables -I FORWARD -i ${g.dev} ! -o ${g.dev} -j DROP` },
        { way: `in from ${uplink}`, r: forward(rs, tcp(WORLD, member(g.subnet), uplink, g.dev), host), fix: `iptables -I FORWARD ! -i ${g.dev} -o ${g.dev} -j DROP` },
      ]));
    }
  }
  return out;
}
