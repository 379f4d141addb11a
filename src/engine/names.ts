// The naming scheme for kernel objects, documented once (docs/naming.md) so students can guess names.
import { createHash, randomBytes } from 'node:crypto';

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_BRIDGE = 'nslab0';
export const IFNAMSIZ = 15;

const hash8 = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** Bridge of a network: nslab0 for `bridge`, else nslab-NAME, or nslab-HASH8 when too long. */
export function bridgeName(network: string): string {
  if (network === DEFAULT_NETWORK) return DEFAULT_BRIDGE;
  const plain = `nslab-${network}`;
  return plain.length <= IFNAMSIZ ? plain : `nslab-${hash8(network)}`;
}

/** Host end of a container's veth: nv-CONTAINER-N for its ethN, hashed when too long. */
export function hostVethName(container: string, index: number): string {
  const plain = `nv-${container}-${index}`;
  return plain.length <= IFNAMSIZ ? plain : `nv-${hash8(container)}-${index}`;
}

/** Link aliases: the ownership mark `ip link` shows on every link nslab makes. */
export const bridgeAlias = (network: string) => `nslab:network:${network}`;
export const vethAlias = (container: string, ifname: string) => `nslab:endpoint:${container}:${ifname}`;

/** Parse a veth alias back into container and interface, or undefined when not ours. */
export function parseVethAlias(alias: string | undefined): { container: string; ifname: string } | undefined {
  const m = /^nslab:endpoint:([^:]+):([^:]+)$/.exec(alias ?? '');
  return m ? { container: m[1]!, ifname: m[2]! } : undefined;
}

export function newId(): string {
  return randomBytes(32).toString('hex');
}
