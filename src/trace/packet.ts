// The packet the trace follows: addresses, protocol, ports, interfaces and its conntrack state at one hook.
import type { Proto } from './parse-target.js';

export interface Packet {
  src: string;
  dst: string;
  proto: Proto;
  /** Unknown for a new connection's client side (an ephemeral port): rules on it cannot be evaluated. */
  sport?: number;
  dport?: number;
  /** The interface it came in by (absent in OUTPUT) and goes out by (known from FORWARD on). */
  in?: string;
  out?: string;
  /** Bridge ports, when it came in (or goes out) through a bridge: what -m physdev tests. */
  physIn?: string;
  physOut?: string;
  /** Bridged only (never routed): br_netfilter passes it through iptables with in = out = the bridge. */
  bridged?: boolean;
  ctstate: 'NEW' | 'ESTABLISHED';
  /** Its connection's destination was rewritten (DNAT): what `-m conntrack --ctstate DNAT` tests. */
  dnat?: boolean;
  /** Its connection's source was rewritten (SNAT, MASQUERADE): `--ctstate SNAT`. */
  snat?: boolean;
}

/** What a rule may ask of the host rather than of the packet. */
export interface HostFacts {
  /** Is this one of the host's own addresses (addrtype LOCAL)? */
  local(addr: string): boolean;
  /** The address MASQUERADE gives a packet leaving by `dev` (the host's address there). */
  masqueradeSource(dev: string): string | undefined;
}
