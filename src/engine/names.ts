// The naming scheme for kernel objects, documented once (docs/naming.md) so students can guess names.
// node:crypto is loaded on first use (a hash for a long name, a new id), not at every start:
// loading it (and the Web Crypto it sets up) was ~5 ms of each short command.
const crypto = () => process.getBuiltinModule('node:crypto');
import { currentLab } from '../state/lab-id.js';

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_BRIDGE = 'nslab0';
export const IFNAMSIZ = 15;

/** sha256 of `s` in hex, cut to `n` digits; try `k` > 0 salts it for the next candidate. */
const hashOf = (s: string, n: number, k: number) => crypto().createHash('sha256').update(k ? `${s}#${k}` : s).digest('hex').slice(0, n);

/** No name is tried this many times: 2^-32 per try, so it means the caller's `taken` is broken. */
const MAX_TRIES = 1000;

/**
 * A derived interface name: `plain` when it fits, else `prefix` + `-` + hex + `suffix`. The
 * hashed form starts with `prefix-` followed by `-`, which a plain name (prefix + a name that
 * starts with a letter or digit) never does, so the two forms cannot collide; hashed names can
 * collide with each other (32 bits), so a `taken` one is skipped for the next salted candidate.
 * The record keeps the name chosen, so it need not be derivable again.
 */
function derive(prefix: string, name: string, suffix: string, taken: (n: string) => boolean): string {
  const plain = `${prefix}${name}${suffix}`;
  if (plain.length <= IFNAMSIZ) return plain;
  const width = IFNAMSIZ - prefix.length - 1 - suffix.length;
  for (let k = 0; k < MAX_TRIES; k++) {
    const hashed = `${prefix}-${hashOf(name, width, k)}${suffix}`;
    if (!taken(hashed)) return hashed;
  }
  throw new Error(`no free interface name for ${name} after ${MAX_TRIES} tries`);
}

/**
 * Bridge of a network: nslab0 for `bridge`, else nslab-NAME, or nslab--HASH8 when too long
 * (the next salted hash while `taken` says a name is in use). Pure: same inputs, same name.
 */
export function bridgeName(network: string, taken: (n: string) => boolean = () => false): string {
  if (network === DEFAULT_NETWORK) return DEFAULT_BRIDGE;
  return derive('nslab-', network, '', taken);
}

/**
 * Host end of a container's veth: nv-CONTAINER-N for its ethN, or nv--HEX-N (hex filling 15
 * characters) when too long, the next salted hash while `taken` says a name is in use.
 */
export function hostVethName(container: string, index: number, taken: (n: string) => boolean = () => false): string {
  return derive('nv-', container, `-${index}`, taken);
}

/**
 * Link aliases: the ownership mark `ip link` shows on every link nslab makes, naming the lab
 * (state directory) that made it: nslab:LAB:network:NAME, nslab:LAB:endpoint:CONTAINER:ethN.
 */
export const bridgeAlias = (network: string, lab = currentLab()) => `nslab:${lab}:network:${network}`;
export const vethAlias = (container: string, ifname: string, lab = currentLab()) => `nslab:${lab}:endpoint:${container}:${ifname}`;
/** The mark of the release before lab ids (no lab named): recognised, never written. */
export const legacyBridgeAlias = (network: string) => `nslab:network:${network}`;

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
  return crypto().randomBytes(32).toString('hex');
}
