// The firewall backends by name: adding one (nftables) is a folder and a line here.
import type { FirewallBackendName } from '../state/types.js';
import type { Firewall } from './firewall.js';
import { IptablesFirewall } from './iptables/backend.js';
import { NoFirewall } from './none/backend.js';

const BACKENDS: Record<FirewallBackendName, () => Firewall> = {
  iptables: () => new IptablesFirewall(),
  none: () => new NoFirewall(),
};

/** The names a user may choose (`--firewall-backend`, `firewall-backend:`). */
export const FIREWALL_BACKENDS = Object.keys(BACKENDS) as [FirewallBackendName, ...FirewallBackendName[]];

/** The backend a network uses when nothing chose one (and that of records written before the choice existed). */
export const DEFAULT_FIREWALL_BACKEND: FirewallBackendName = 'iptables';

export const isFirewallBackend = (s: unknown): s is FirewallBackendName => typeof s === 'string' && Object.hasOwn(BACKENDS, s);

/** One instance of every backend, by name. */
export function firewallBackends(): Record<FirewallBackendName, Firewall> {
  return Object.fromEntries(FIREWALL_BACKENDS.map((b) => [b, BACKENDS[b]()])) as Record<FirewallBackendName, Firewall>;
}
