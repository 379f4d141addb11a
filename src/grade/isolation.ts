// Grading what a lab's networks must not let through, on paper: a packet walked through the
// filter table's FORWARD hook by the trace's evaluator (src/trace/netfilter-eval.ts), so any
// form of rule a student wrote counts, in any chain FORWARD reaches. Two networks do not talk
// (Docker's isolation), a network with icc false does not pass traffic between its containers,
// an internal network neither reaches the world nor is reached from it.
import type { NetworkSpec } from '../engine/inputs.js';
import { parseIptablesSave, type Ruleset } from '../firewall/iptables/save.js';
import { bigToIp, type Cidr4 } from '../ipam/cidr.js';
import { passHook } from '../trace/netfilter-eval.js';
import type { HostFacts, Packet } from '../trace/packet.js';
import { fail, pass, type Finding } from './finding.js';
import { steps } from './hints.js';
import type { NetFacts } from './network.js';
import { ipv4In, type KernelView } from './view.js';

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

function hostFacts(view: KernelView): HostFacts {
  const mine = ipv4In(view.host);
  return {
    local: (a) => mine.some((x) => x.local === a) || a.startsWith('127.'),
    masqueradeSource: (dev) => mine.find((x) => x.ifname === dev)?.local,
  };
}

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

/**
 * One finding per pair of graded bridge networks (isolation), per network with icc false, and
 * per internal network; none when the filter table cannot be read (the forward check says so). Pure.
 */
export function gradeIsolation(nets: ReadonlyArray<{ spec: NetworkSpec; facts: NetFacts }>, view: KernelView): Finding[] {
  if ('error' in view.filter) return [];
  const rs = parseIptablesSave(view.filter.text);
  const host = hostFacts(view);
  const graded: Graded[] = nets.flatMap(({ spec, facts }) => (facts.master && facts.subnet ? [{ spec, subnet: facts.subnet, dev: facts.master }] : []));
  const out: Finding[] = [];
  for (let i = 0; i < graded.length; i++) {
    for (const b of graded.slice(i + 1)) {
      const a = graded[i]!;
      if (a.dev === b.dev) continue;
      const check = `networks ${a.spec.name} and ${b.spec.name} cannot talk (FORWARD drops ${a.dev} → ${b.dev} and back)`;
      const ab = forward(rs, tcp(member(a.subnet), member(b.subnet), a.dev, b.dev), host);
      const ba = forward(rs, tcp(member(b.subnet), member(a.subnet), b.dev, a.dev), host);
      const object = `network ${a.spec.name}`;
      if (ab.dropped && ba.dropped) out.push(pass(object, 'isolation', check, ab.by === ba.by ? ab.by : `${ab.by}; ${ba.by}`));
      else {
        const open = [!ab.dropped && `${a.dev} → ${b.dev} let through by ${ab.by}`, !ba.dropped && `${b.dev} → ${a.dev} let through by ${ba.by}`].filter(Boolean).join('; ');
        out.push(fail(object, 'isolation', check, open,
          steps(!ab.dropped && `iptables -I FORWARD -i ${a.dev} -o ${b.dev} -j DROP`, !ba.dropped && `iptables -I FORWARD -i ${b.dev} -o ${a.dev} -j DROP`)));
      }
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
      const check = `network ${g.spec.name} is internal: FORWARD drops what leaves ${g.dev} for elsewhere and what enters it from elsewhere`;
      const outward = forward(rs, tcp(member(g.subnet), WORLD, g.dev, uplink), host);
      const inward = forward(rs, tcp(WORLD, member(g.subnet), uplink, g.dev), host);
      if (outward.dropped && inward.dropped) out.push(pass(object, 'internal', check, outward.by === inward.by ? outward.by : `${outward.by}; ${inward.by}`));
      else {
        const open = [!outward.dropped && `out to ${uplink} let through by ${outward.by}`, !inward.dropped && `in from ${uplink} let through by ${inward.by}`].filter(Boolean).join('; ');
        out.push(fail(object, 'internal', check, open,
          steps(!outward.dropped && `iptables -I FORWARD -i ${g.dev} ! -o ${g.dev} -j DROP`, !inward.dropped && `iptables -I FORWARD ! -i ${g.dev} -o ${g.dev} -j DROP`)));
      }
    }
  }
  return out;
}
