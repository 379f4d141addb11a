// The doctor's checks of the tools nslab runs: ip, iptables (and which backend), conntrack.
import type { HostFacts } from './facts.js';
import { fail, note, ok, warn, type Finding } from './finding.js';

/** iptables' backend from `iptables -V` ("iptables v1.8.9 (nf_tables)"), or undefined. Pure. */
export function backendOf(version: string): 'nf_tables' | 'legacy' | undefined {
  const m = /\((nf_tables|legacy)\)/.exec(version);
  return m ? (m[1] as 'nf_tables' | 'legacy') : undefined;
}

/** Rule lines (-A …) of an iptables-save text. Pure. */
export const ruleCount = (save: string): number => save.split('\n').filter((l) => l.startsWith('-A ')).length;

/** ip, iptables with its backend (and rules left in the other one), conntrack. */
export async function toolChecks(f: HostFacts): Promise<Finding[]> {
  const out: Finding[] = [];
  const ipv = await f.run(['ip', '-V']);
  out.push(ipv.code === 0
    ? ok('tool.ip', `ip: ${ipv.stdout.trim().replace(/^ip utility, /, '')}`)
    : fail('tool.ip', 'ip (iproute2) is missing: nslab builds every link, address and route with it', 'sudo apt install iproute2'));
  const ipt = await f.run(['iptables', '-V']);
  if (ipt.code !== 0) {
    out.push(fail('tool.iptables', 'iptables is missing: NAT, port publishing and isolation need it', 'sudo apt install iptables'));
  } else {
    const backend = backendOf(ipt.stdout);
    out.push(ok('tool.iptables', `iptables: ${ipt.stdout.trim()}${backend ? `, the ${backend === 'nf_tables' ? 'nf_tables (nft)' : 'legacy (x_tables)'} backend` : ''}`));
    // Rules in the other backend are evaluated too, and invisible to this one's iptables-save.
    const other = backend === 'nf_tables' ? 'iptables-legacy-save' : backend === 'legacy' ? 'iptables-nft-save' : undefined;
    const save = other ? await f.run([other]) : undefined;
    if (other && save?.code === 0 && ruleCount(save.stdout) > 0) {
      out.push(warn('tool.iptables-mix', `${ruleCount(save.stdout)} rule(s) live in the other iptables backend too (${other}): the kernel runs both, and nslab sees only ${backend}`,
        `keep one backend: move the other's rules over, or sudo update-alternatives --set iptables /usr/sbin/iptables-${backend === 'nf_tables' ? 'nft' : 'legacy'}`));
    }
  }
  const ct = await f.run(['conntrack', '--version']);
  out.push(ct.code === 0 ? ok('tool.conntrack', `conntrack: ${ct.stdout.trim() || ct.stderr.trim()}`)
    : note('tool.conntrack', 'conntrack is missing: a UDP port published again may reach the old container for up to 30 s', 'sudo apt install conntrack'));
  return out;
}
