// The doctor's checks of kernel features: each link kind tried in a scratch network namespace
// (unshare --net, gone when the command ends), iptables NAT there too, and br_netfilter.
import type { HostFacts } from './facts.js';
import { sysctl } from './facts.js';
import { fail, note, ok, warn, type Finding } from './finding.js';

/** The link kinds nslab uses, as `ip -batch` lines tried in order in the scratch namespace. */
export const KIND_TRIES: ReadonlyArray<{ id: string; what: string; line: string; needed: boolean; config: string }> = [
  { id: 'bridge', what: 'bridge', line: 'link add nsdoc-br type bridge', needed: true, config: 'CONFIG_BRIDGE' },
  { id: 'veth', what: 'veth pairs', line: 'link add nsdoc-v0 type veth peer name nsdoc-v1', needed: true, config: 'CONFIG_VETH' },
  { id: 'macvlan', what: 'macvlan', line: 'link add nsdoc-mv link nsdoc-v0 type macvlan mode bridge', needed: false, config: 'CONFIG_MACVLAN' },
  { id: 'ipvlan', what: 'ipvlan', line: 'link add nsdoc-iv link nsdoc-v0 type ipvlan mode l2', needed: false, config: 'CONFIG_IPVLAN' },
  { id: 'vxlan', what: 'VXLAN', line: 'link add nsdoc-vx type vxlan id 42 dstport 4789 dev nsdoc-v0', needed: false, config: 'CONFIG_VXLAN' },
];

/** The batch lines that failed, from `ip -force -batch` stderr ("Command failed -:3"), from 1. Pure. */
export function failedLines(stderr: string): Set<number> {
  return new Set([...stderr.matchAll(/Command failed [^:]*:(\d+)/g)].map((m) => Number(m[1])));
}

export async function kernelChecks(f: HostFacts): Promise<Finding[]> {
  const out: Finding[] = [];
  const tried = await f.run(['unshare', '--net', 'ip', '-force', '-batch', '-'], KIND_TRIES.map((k) => k.line).join('\n') + '\n');
  if (tried.code === 127 || /unshare: /.test(tried.stderr)) {
    out.push(fail('kernel.netns', `cannot make a network namespace (unshare --net: ${tried.stderr.trim().split('\n')[0] || `exit ${tried.code}`}): every container is one`, 'enable CONFIG_NET_NS (and run as root)'));
    return out;
  }
  out.push(ok('kernel.netns', 'network namespaces: a scratch one was made and is gone'));
  const bad = failedLines(tried.stderr);
  KIND_TRIES.forEach((k, i) => {
    const id = `kernel.${k.id}`;
    if (!bad.has(i + 1)) out.push(ok(id, `${k.what}: supported`));
    else if (k.needed) out.push(fail(id, `${k.what}: the kernel refuses them (${k.config})`, `enable ${k.config} (or sudo modprobe ${k.id})`));
    else out.push(note(id, `${k.what}: not in this kernel (${k.config}); networks with --driver ${k.id === 'vxlan' ? 'overlay' : k.id} are refused`, `sudo modprobe ${k.id}, or a kernel with ${k.config}`));
  });
  const nat = await f.run(['unshare', '--net', 'iptables', '-t', 'nat', '-S']);
  out.push(nat.code === 0 ? ok('kernel.nat', 'iptables NAT: the nat table works')
    : fail('kernel.nat', `iptables NAT does not work (${nat.stderr.trim().split('\n')[0] || `exit ${nat.code}`}): no MASQUERADE, no published ports`, 'sudo modprobe nf_nat iptable_nat (or nft_chain_nat with the nf_tables backend)'));
  const brnf = sysctl(f, 'net.bridge.bridge-nf-call-iptables');
  if (brnf === undefined) out.push(note('kernel.br_netfilter', 'br_netfilter is not loaded: traffic between two containers of one bridge skips iptables (nslab loads it for --no-icc)', 'sudo modprobe br_netfilter'));
  else if (brnf !== '1') out.push(warn('kernel.br_netfilter', 'bridge-nf-call-iptables is 0: traffic inside a bridge skips iptables, so --no-icc and a container reaching its own published port do not work', 'sudo sysctl -w net.bridge.bridge-nf-call-iptables=1'));
  else out.push(ok('kernel.br_netfilter', 'br_netfilter: bridged traffic passes iptables (bridge-nf-call-iptables=1)'));
  return out;
}
