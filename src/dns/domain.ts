// The DNS domain of nslab networks: a container's names are NAME and NAME.nslab.internal.

/**
 * Answered by nslabd's DNS server on every nslab network, never forwarded (`.internal` is
 * reserved for private use, so no public name can collide); containers get it in their
 * resolv.conf search list after the host's.
 */
export const DNS_DOMAIN = 'nslab.internal';
