// The naming scheme for kernel objects, documented once (docs/naming.md) so students can guess names.
import { createHash, randomBytes } from 'node:crypto';

export const DEFAULT_NETWORK = 'bridge';
export const DEFAULT_BRIDGE = 'nslab0';
export const IFNAMSIZ = 15;

/** sha256 of `s` in hex, cut to `n` digits; try `k` > 0 salts it for the next candidate. */
const hashOf = (s: string, n: number, k: number) => createHash('sha256').update(k ? `${s}#${k}` : s).digest('hex').slice(0, n);

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
