// Names of nslab's own iptables chains and the owner comments carried by every rule.

/** nat: MASQUERADE for nslab networks; jumped to from POSTROUTING. */
export const NAT_CHAIN = 'NSLAB-POSTROUTING';
/** filter: forwarding for nslab bridges; jumped to from FORWARD. */
export const FWD_CHAIN = 'NSLAB-FORWARD';
/** filter: the users' chain; nslab creates it and never writes a rule into it. */
export const USER_CHAIN = 'NSLAB-USER';

/** Comment on the jumps and base rules nslab owns. */
export const BASE_COMMENT = 'nslab';

/** Comment on every rule that belongs to one network. */
export function networkComment(network: string): string {
  return `nslab:net=${network}`;
}
