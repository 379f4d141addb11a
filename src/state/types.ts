// The record of what nslab built: networks, containers and their endpoints.
import { dict } from './dict.js';

/** The firewall backends: `iptables` (nslab writes the rules), `none` (the user manages the firewall). */
export type FirewallBackendName = 'iptables' | 'none';

export interface NetworkRecord {
  name: string;
  id: string;
  driver: 'bridge';
  bridge: string;
  subnet: string;
  gateway: string;
  ipRange?: string;
  auxAddresses: Record<string, string>;
  mtu: number;
  masquerade: boolean;
  icc: boolean;
  internal: boolean;
  /** The backend that holds its rules; kept for the network's life. Absent (older records): iptables. */
  firewall?: FirewallBackendName;
  created: string;
}

export interface EndpointRecord {
  network: string;
  ifname: string; // inside the container: eth0, eth1, …
  hostVeth: string; // host end, on the bridge
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  aliases: string[];
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
  addHosts: Array<{ name: string; ip: string }>;
  /** What the user asked for, to tell a repeated create from a conflicting one. */
  request: Record<string, unknown>;
  created: string;
}

export interface State {
  version: 1;
  /** The lab id (a copy of the `lab-id` file) that every mark of this lab carries. */
  labId?: string;
  networks: Record<string, NetworkRecord>;
  containers: Record<string, ContainerRecord>;
}

export function emptyState(): State {
  return { version: 1, networks: dict(), containers: dict() };
}

/**
 * A state as JSON gives it (state.json, nslabd's answer: plain objects) with its name-keyed
 * records made null-prototype, so that looking up "constructor" or "__proto__" finds nothing.
 * Pure; the records themselves are shared, not copied.
 */
export function stateFromJson(s: State): State {
  return { ...s, networks: dict(s.networks), containers: dict(s.containers) };
}
