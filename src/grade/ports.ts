// Grading published ports: a DNAT reached from nat PREROUTING for each host port the file publishes.
import type { ContainerSpec } from '../engine/inputs.js';
import { fail, pass, type Finding } from './finding.js';
import { findDnat } from './nat.js';
import type { KernelView } from './view.js';

/** One ✓/✗ per published host port, to the container's graded address `ip`. Pure. */
export function gradePorts(c: ContainerSpec, ip: string | undefined, view: KernelView): Finding[] {
  if (!ip || !c.ports.length) return [];
  const object = `container ${c.name}`;
  return c.ports.map((p) => {
    const host = `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}/${p.protocol}`;
    const check = `nat PREROUTING sends ${host} to ${ip}:${p.containerPort}`;
    const fix = `iptables -t nat -A PREROUTING${p.hostIp ? ` -d ${p.hostIp}` : ' -m addrtype --dst-type LOCAL'} -p ${p.protocol} --dport ${p.hostPort} -j DNAT --to-destination ${ip}:${p.containerPort}`;
    if ('error' in view.nat) return fail(object, 'port', check, `the nat table cannot be read: ${view.nat.error}`, 'apt-get install iptables');
    const rule = findDnat(view.nat.text, { protocol: p.protocol, hostIp: p.hostIp, hostPort: p.hostPort, ip, port: p.containerPort });
    return rule ? pass(object, 'port', check, rule) : fail(object, 'port', check, 'no DNAT rule for it', fix);
  });
}
