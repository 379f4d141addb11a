// Sysctls: set with `sysctl -w`, read from /proc/sys (which follows the caller's network namespace).
import { readFile } from 'node:fs/promises';
import { ip, type Command } from '../exec/command.js';
import type { Runner } from '../exec/runner.js';

export function setSysctl(key: string, value: string): Command {
  return { kind: 'cmd', file: 'sysctl', args: ['-w', `${key}=${value}`], mutates: true };
}

/**
 * Set sysctls inside a named namespace: `ip netns exec NS sysctl -qw K=V…`, an `ip` command so
 * that it joins that namespace's `ip -n NS -batch` (ip forks sysctl from the batch: no extra
 * process from nslab). A sysctl is the only way: the kernel takes no IPv6 device setting but
 * addrgenmode and token over netlink. Setting the same value again is a no-op.
 */
export function setSysctlIn(netns: string, kv: Record<string, string>): Command {
  return ip(['netns', 'exec', netns, 'sysctl', '-qw', ...Object.entries(kv).map(([k, v]) => `${k}=${v}`)], { netns });
}

/**
 * Read sysctls inside a named namespace (a process there: /proc/sys follows the reader's
 * namespace). Keys that do not exist are left out of the result.
 */
export async function readSysctlsIn(runner: Runner, netns: string, keys: readonly string[]): Promise<Record<string, string>> {
  if (!keys.length) return {};
  const out = await runner.run({ kind: 'cmd', file: 'nsenter', args: [`--net=/run/netns/${netns}`, 'sysctl', '-e', ...keys], mutates: false });
  const values: Record<string, string> = {};
  for (const m of out.stdout.matchAll(/^(\S+) = (.*)$/gm)) values[m[1]!] = m[2]!;
  return values;
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
