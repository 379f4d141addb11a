// Read the live kernel for the grader: links, addresses and routes of the host and of each named
// namespace, forwarding, the nat and filter tables, and the /etc/netns files. Only reads; never the state lock.
import { readFileSync } from 'node:fs';
import type { Runner } from '../exec/runner.js';
import { etcDir, hostResolvers } from '../kernel/netns-files.js';
import { listNetns, NETNS_DIR } from '../kernel/netns.js';
import { nsIdentity, observeNs } from '../kernel/observe.js';
import { readSysctl } from '../kernel/sysctl.js';
import type { KernelView, SeenLink } from './view.js';

/** A file as `ip netns exec` would show it (a symbolic link is followed, as it does); undefined when missing. */
function readMaybe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The host's namespace ids (`ip -json netns list-id`) with each namespace's identity; empty when unreadable. */
async function nsIds(runner: Runner): Promise<Record<number, string>> {
  const out: Record<number, string> = {};
  try {
    const r = await runner.run({ kind: 'cmd', file: 'ip', args: ['-json', 'netns', 'list-id'], mutates: false });
    for (const e of (r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : []) as Array<{ nsid: number; name?: string }>) {
      if (e.name) out[e.nsid] = nsIdentity(`${NETNS_DIR}/${e.name}`);
    }
  } catch {
    /* a name that went away meanwhile, or an ip without list-id: peers are then matched by index only */
  }
  return out;
}

async function tableText(runner: Runner, table: 'nat' | 'filter'): Promise<KernelView['nat']> {
  try {
    const out = await runner.run({ kind: 'cmd', file: 'iptables-save', args: ['-t', table], mutates: false });
    return out.exitCode === 0 ? { text: out.stdout } : { error: out.stderr.trim() || `iptables-save exited ${out.exitCode}` };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * What the grader needs of the kernel for the namespaces `names` (the lab's containers and
 * those they share). Reads only: `ip -json`, `iptables-save -t nat|filter`, /proc/sys, /etc/netns.
 */
export async function observeForGrade(runner: Runner, names: readonly string[]): Promise<KernelView> {
  const present = await listNetns();
  const [host, ipForward, nat, filter, nsids] = await Promise.all([
    observeNs<SeenLink>(runner), readSysctl('net.ipv4.ip_forward'), tableText(runner, 'nat'), tableText(runner, 'filter'), nsIds(runner),
  ]);
  const netns: KernelView['netns'] = {};
  await Promise.all(names.filter((n) => present.has(n)).map(async (n) => {
    try {
      netns[n] = { id: nsIdentity(`${NETNS_DIR}/${n}`), view: await observeNs<SeenLink>(runner, n) };
    } catch {
      /* a name left without its namespace (an unmounted file): as good as missing */
    }
  }));
  const files: KernelView['files'] = {};
  for (const n of names) {
    files[n] = {};
    for (const f of ['resolv.conf', 'hosts'] as const) {
      const text = readMaybe(etcDir(n, f));
      if (text !== undefined) files[n][f] = text;
    }
  }
  return { host, hostId: nsIdentity('/proc/self/ns/net'), nsids, netns, ipForward, nat, filter, files, resolvers: hostResolvers().nameservers.slice() };
}
