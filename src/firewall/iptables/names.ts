// Names of nslab's own iptables chains and the owner comments carried by every rule.
import { currentLab } from '../../state/lab-id.js';

/** nat: MASQUERADE for nslab networks; jumped to from POSTROUTING. */
export const NAT_CHAIN = 'NSLAB-POSTROUTING';
/**
 * raw: the source check of nslab bridges (no spoofing); jumped to from PREROUTING, so it
 * runs before conntrack and routing, for forwarded traffic and traffic to the host alike.
 */
export const RAW_CHAIN = 'NSLAB-PREROUTING';
/** filter: forwarding for nslab bridges; jumped to from FORWARD. */
export const FWD_CHAIN = 'NSLAB-FORWARD';
/**
 * filter: isolation between nslab networks, in two stages as Docker's DOCKER-ISOLATION-STAGE-1/2:
 * stage 1 sends what leaves a bridge for another interface to stage 2, which drops it if that
 * interface is another nslab bridge. One rule per network in each: O(networks), not pairs.
 * Internal networks drop everything crossing their bridge in stage 1.
 */
export const ISO1_CHAIN = 'NSLAB-ISOLATION-1';
export const ISO2_CHAIN = 'NSLAB-ISOLATION-2';
/**
 * filter: what the host itself accepts from nslab networks (DNS to each gateway, for nslabd's
 * embedded server); jumped to from INPUT first, so a DROP policy there does not cut it.
 */
export const INPUT_CHAIN = 'NSLAB-INPUT';
/**
 * nat: DNAT of published ports; jumped to from PREROUTING (traffic from outside and from
 * containers) and OUTPUT (the host itself), for packets to one of the host's own addresses.
 */
export const DNAT_CHAIN = 'NSLAB-DNAT';
/** filter: the users' chain; nslab creates it and never writes a rule into it. */
export const USER_CHAIN = 'NSLAB-USER';

/** Comment on the jumps and base rules nslab owns; every lab in a host shares them. */
export const BASE_COMMENT = 'nslab';

/** Comment on every rule that belongs to one network of one lab: nslab:LAB:net=NAME. */
export function networkComment(network: string, lab = currentLab()): string {
  return `nslab:${lab}:net=${network}`;
}

/** The comment the release before lab ids wrote: recognised on recorded networks, never written. */
export function legacyNetworkComment(network: string): string {
  return `nslab:net=${network}`;
}

/** Parse a network rule's comment into network and lab (absent for the old format), or undefined. */
export function parseNetworkComment(c: string | undefined): { network: string; lab?: string } | undefined {
  // Names never hold ":" (checkName), so a port rule's comment (…:ctr=C) is not a network's.
  const m = /^nslab:(?:([0-9a-f]{8}):)?net=([^:]+)$/.exec(c ?? '');
  return m ? { network: m[2]!, ...(m[1] ? { lab: m[1] } : {}) } : undefined;
}

/** Comment on every port rule of one container: nslab:LAB:net=NET:ctr=NAME (the network its first endpoint is on). */
export function portComment(network: string, container: string, lab = currentLab()): string {
  return `${networkComment(network, lab)}:ctr=${container}`;
}

/** Parse a port rule's comment into lab, network and container, or undefined. */
export function parsePortComment(c: string | undefined): { lab: string; network: string; container: string } | undefined {
  const m = /^nslab:([0-9a-f]{8}):net=([^:]+):ctr=([^:]+)$/.exec(c ?? '');
  return m ? { lab: m[1]!, network: m[2]!, container: m[3]! } : undefined;
}

/** Comment on the one TRACE rule of `nslab trace --probe` run by process `pid`: nslab-trace:PID. */
export const traceComment = (pid: number): string => `nslab-trace:${pid}`;

/** The PID a trace probe's comment names, or undefined. */
export function parseTraceComment(c: string | undefined): number | undefined {
  const m = /^nslab-trace:([1-9][0-9]*)$/.exec(c ?? '');
  return m ? Number(m[1]) : undefined;
}
