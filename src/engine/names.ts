// The naming scheme for kernel objects, documented once (docs/naming.md) so students can guess names.
import { createHash, randomBytes } from 'node:crypto';
import { currentLab } from '../state/lab-id.js';

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

/**
 * Link aliases: the ownership mark `ip link` shows on every link nslab makes, naming the lab
 * (state directory) that made it: nslab:LAB:network:NAME, nslab:LAB:endpoint:CONTAINER:ethN.
 */
export const bridgeAlias = (network: string, lab = currentLab()) => `nslab:${lab}:network:${network}`;
export const vethAlias = (container: string, ifname: string, lab = currentLab()) => `nslab:${lab}:endpoint:${container}:${ifname}`;
/** The marks of the release before lab ids (no lab named): recognised, never written. */
export const legacyBridgeAlias = (network: string) => `nslab:network:${network}`;
export const legacyVethAlias = (container: string, ifname: string) => `nslab:endpoint:${container}:${ifname}`;

/** Whose mark: this lab's, the previous release's (no lab id), or another lab's. */
export type Owner = 'mine' | 'legacy' | 'other';

/** The owner of a mark from its lab field (undefined: the previous release's format). */
export function ownerOf(lab: string | undefined): Owner {
  return lab === undefined ? 'legacy' : lab === currentLab() ? 'mine' : 'other';
}

/** Parse a bridge alias into network and lab (absent for the old format), or undefined when not nslab's. */
export function parseBridgeAlias(alias: string | undefined): { network: string; lab?: string; owner: Owner } | undefined {
  const m = /^nslab:(?:([0-9a-f]{8}):)?network:([^:]+)$/.exec(alias ?? '');
  return m ? { network: m[2]!, ...(m[1] ? { lab: m[1] } : {}), owner: ownerOf(m[1]) } : undefined;
}

/** Parse a veth alias into container, interface and lab (absent for the old format), or undefined when not nslab's. */
export function parseVethAlias(alias: string | undefined): { container: string; ifname: string; lab?: string; owner: Owner } | undefined {
  const m = /^nslab:(?:([0-9a-f]{8}):)?endpoint:([^:]+):([^:]+)$/.exec(alias ?? '');
  return m ? { container: m[2]!, ifname: m[3]!, ...(m[1] ? { lab: m[1] } : {}), owner: ownerOf(m[1]) } : undefined;
}

export function newId(): string {
  return randomBytes(32).toString('hex');
}
