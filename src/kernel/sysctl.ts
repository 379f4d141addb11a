// Sysctls: set with `sysctl -w`, read from /proc/sys (which follows the caller's network namespace).
import { readFile } from 'node:fs/promises';
import type { Command } from '../exec/command.js';

export function setSysctl(key: string, value: string): Command {
  return { kind: 'cmd', file: 'sysctl', args: ['-w', `${key}=${value}`], mutates: true };
}

/** Current value, or undefined when the key does not exist (module not loaded). */
export async function readSysctl(key: string): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Whether bridged frames pass through iptables (per network namespace; needs br_netfilter). */
export const BRIDGE_NF_IPTABLES = 'net.bridge.bridge-nf-call-iptables';

/** Load a kernel module (br_netfilter); a no-op when it is loaded or built in. */
export function modprobe(module: string): Command {
  return { kind: 'cmd', file: 'modprobe', args: [module], mutates: true };
}
