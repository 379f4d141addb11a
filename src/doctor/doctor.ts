// `nslab doctor`: every check of the host, in the order a newcomer would fix them. Reads only.
import type { HostFacts } from './facts.js';
import { fail, note, ok, type Finding } from './finding.js';
import { kernelChecks } from './kernel.js';
import { firewallChecks, resolverChecks, routeChecks, sysctlChecks } from './network.js';
import { toolChecks } from './tools.js';

export interface DoctorOptions {
  /** nslabd's socket. */
  socket: string;
  /** Is this process root? (iptables and namespaces need it.) */
  root: boolean;
}

/**
 * Check the host: tools, kernel features, sysctls, firewalls, resolvers, routes and nslabd.
 * Nothing on the host changes (kernel features are tried in a scratch namespace that is gone
 * when the try ends); the same host gives the same findings.
 */
export async function doctor(f: HostFacts, o: DoctorOptions): Promise<Finding[]> {
  if (!o.root) return [fail('root', 'doctor reads iptables and makes a scratch namespace: it needs root', 'sudo nslab doctor')];
  const out: Finding[] = [];
  out.push(...(await toolChecks(f)));
  out.push(...(await kernelChecks(f)));
  out.push(...sysctlChecks(f));
  out.push(...(await firewallChecks(f)));
  out.push(...resolverChecks(f));
  out.push(...(await routeChecks(f)));
  out.push((await f.daemon(o.socket)) ? ok('nslabd', `nslabd answers on ${o.socket}`)
    : note('nslabd', `nslabd is not running (nothing answers on ${o.socket}): nslab works in-process; DNS names with aliases and round robin, and events, need it`, 'sudo systemctl start nslabd'));
  return out;
}
