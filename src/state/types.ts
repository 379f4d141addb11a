// The record of what nslab built: networks, containers and their endpoints.
import { dict } from './dict.js';

/** The firewall backends: `iptables` (nslab writes the rules), `none` (the user manages the firewall). */
export type FirewallBackendName = 'iptables' | 'none';

/**
 * One subnet of a network, as Docker's IPAM.Config entry: the ip-range and aux addresses lie
 * in this subnet, so they belong to it (an IPv6 subnet will carry its own).
 */
export interface SubnetRecord {
  subnet: string;
  gateway: string;
  ipRange?: string;
  auxAddresses: Record<string, string>;
}

/** What every network has, whatever its driver. */
export interface NetworkBase {
  name: string;
  id: string;
  /** At most one subnet per address family (the family is read from the text: see families.ts); IPv4 only, so far. */
  subnets: SubnetRecord[];
  internal: boolean;
  /** The backend that holds its rules; kept for the network's life. Absent (older records): iptables. */
  firewall?: FirewallBackendName;
  created: string;
}

/** A Linux bridge (Docker's default driver): containers are veth ports on it. */
export interface BridgeNetwork extends NetworkBase {
  driver: 'bridge';
  bridge: string;
  mtu: number;
  masquerade: boolean;
  icc: boolean;
}

/** A network record, keyed on its driver: macvlan, ipvlan and overlay are variants to add. */
export type NetworkRecord = BridgeNetwork;
export type DriverName = NetworkRecord['driver'];

/** One address of an endpoint; its family is read from `ip` (see families.ts). */
export interface AddressRecord {
  ip: string;
  prefix: number;
  /** The subnet's gateway, where the default route of that family goes. */
  gateway?: string;
}

export interface EndpointRecord {
  network: string;
  ifname: string; // inside the container: eth0, eth1, …
  hostVeth: string; // host end, on the bridge
  /** One address per family of the network (IPv4 only, so far). */
  addresses: AddressRecord[];
  mac: string;
  aliases: string[];
}

/**
 * One published port (Docker's -p), a range expanded to one each: host side → the container's
 * first endpoint. state.json stores a range as one entry with a count (port-runs.ts).
 */
export interface PortRecord {
  protocol: 'tcp' | 'udp';
  /** The host address it answers on; absent: every address (0.0.0.0). */
  hostIp?: string;
  hostPort: number;
  containerPort: number;
}

export interface ContainerRecord {
  name: string;
  id: string;
  /** Docker's network modes: on nslab networks (endpoints), host, none (only lo), container (shares). */
  mode: 'network' | 'host' | 'none' | 'container';
  /** Mode "container": the container whose namespace this one shares. */
  shares?: string;
  /** Records reach state.json only once every kernel object exists (intent.json covers the time before). */
  status: 'ready';
  endpoints: EndpointRecord[];
  hostname: string;
  dns: string[];
  dnsSearch: string[];
  /** resolv.conf `options` (--dns-option); absent in records written before it existed. */
  dnsOptions?: string[];
  addHosts: Array<{ name: string; ip: string }>;
  /** Legacy links (--link OTHER:ALIAS): OTHER by that alias in the hosts file. Absent in older records: none. */
  links?: Array<{ container: string; alias: string }>;
  /** Published ports (-p); DNAT goes to the first endpoint's address. Older records: none. */
  ports: PortRecord[];
  /** What the user asked for, to tell a repeated create from a conflicting one. */
  request: Record<string, unknown>;
  created: string;
}

/**
 * The version of state.json this code writes; older ones are migrated on load (migrate.ts).
 * 3: a published range may be one entry with a count (an nslab of version 2 would read only
 * its first port, and its gc would then remove the others' rules: it must refuse the file).
 */
export const STATE_VERSION = 3;

export interface State {
  version: typeof STATE_VERSION;
  /** The lab id (a copy of the `lab-id` file) that every mark of this lab carries. */
  labId?: string;
  networks: Record<string, NetworkRecord>;
  containers: Record<string, ContainerRecord>;
}

export function emptyState(): State {
  return { version: STATE_VERSION, networks: dict(), containers: dict() };
}

/**
 * A state as JSON gives it (state.json, nslabd's answer: plain objects) with its name-keyed
 * records made null-prototype, so that looking up "constructor" or "__proto__" finds nothing.
 * Pure; the records themselves are shared, not copied.
 */
export function stateFromJson(s: State): State {
  return { ...s, networks: dict(s.networks), containers: dict(s.containers) };
}
