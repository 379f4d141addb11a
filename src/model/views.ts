// Docker-shaped JSON views of records: `inspect` and `--json` in the CLI, GET /v1/networks|containers in nslabd.
import { networkModeOf } from '../engine/inputs.js';
import { driverOf } from '../drivers/registry.js';
import { dict } from '../state/dict.js';
import { cidrOf, primaryAddress } from '../state/families.js';
import type { ContainerRecord, EndpointRecord, NetworkRecord, State } from '../state/types.js';

/** A network as `docker network inspect` shows it (pure: same records, same view). */
export function networkView(n: NetworkRecord, state: State) {
  const containers = dict<unknown>();
  for (const c of Object.values(state.containers)) {
    for (const e of c.endpoints) {
      if (e.network !== n.name) continue;
      containers[c.id] = { Name: c.name, MacAddress: e.mac, IPv4Address: cidrOf(primaryAddress(e)), Interface: e.ifname, HostVeth: driverOf(n).endpointView(e, n).HostVeth };
    }
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Config: n.subnets.map((s) => ({ Subnet: s.subnet, Gateway: s.gateway, ...(s.ipRange ? { IPRange: s.ipRange } : {}), ...(Object.keys(s.auxAddresses).length ? { AuxiliaryAddresses: s.auxAddresses } : {}) })),
    },
    Internal: n.internal,
    Containers: containers,
    Options: { ...driverOf(n).options(n), 'nslab.firewall.backend': n.firewall ?? 'iptables' },
    Labels: {},
  };
}

/** Docker's Ports shape: {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}, one key per container port. */
export function portsView(c: Pick<ContainerRecord, 'ports'>): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out = dict<Array<{ HostIp: string; HostPort: string }>>();
  for (const p of c.ports ?? []) (out[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp ?? '0.0.0.0', HostPort: String(p.hostPort) });
  return out;
}

/** A container as `docker inspect` shows it (pure: same records, same view). */
export function containerView(c: ContainerRecord, state: State) {
  const networks = dict<unknown>(); // keyed by network names
  for (const e of c.endpoints) {
    const n = state.networks[e.network];
    networks[e.network] = {
      NetworkID: state.networks[e.network]?.id,
      IPAddress: primaryAddress(e).ip,
      IPPrefixLen: primaryAddress(e).prefix,
      Gateway: primaryAddress(e).gateway,
      MacAddress: e.mac,
      Aliases: e.aliases,
      Interface: e.ifname,
      ...(n ? driverOf(n).endpointView(e, n) : {}),
    };
  }
  return {
    Id: c.id,
    Name: c.name,
    Created: c.created,
    State: { Status: c.status === 'ready' ? 'created' : c.status },
    Config: { Hostname: c.hostname },
    HostConfig: { NetworkMode: networkModeOf(c, c.endpoints[0]?.network), Dns: c.dns, DnsSearch: c.dnsSearch, DnsOptions: c.dnsOptions ?? [], ExtraHosts: c.addHosts.map((h) => `${h.name}:${h.ip}`),
      // Docker's form: /OTHER:/THIS/ALIAS
      Links: (c.links ?? []).map((l) => `/${l.container}:/${c.name}/${l.alias}`), PortBindings: portsView(c) },
    NetworkSettings: { SandboxKey: `/run/netns/${c.name}`, Ports: portsView(c), Networks: c.mode === 'host' || c.mode === 'none' ? { [c.mode]: {} } : networks },
    ResolvConfPath: `/etc/netns/${c.name}/resolv.conf`,
    HostsPath: `/etc/netns/${c.name}/hosts`,
  };
}

/** The network's host side in a few words ("bridge nslab-lab"), by its driver. */
export const networkWhere = (n: NetworkRecord): string => driverOf(n).describe(n);

/** The network's host interface for tables (its bridge), or '-'. */
export const networkLink = (n: NetworkRecord): string => driverOf(n).hostLinks(n)[0] ?? '-';

/** An endpoint's host side in a few words ("host end nv-c-0 on nslab-lab"), by its network's driver. */
export function endpointWhere(e: EndpointRecord, state: State): string {
  const n = state.networks[e.network];
  return n ? driverOf(n).describeEndpoint(e, n) : `network ${e.network} is not recorded`;
}

/** An endpoint's host link for tables (a veth's host end), or '-'. */
export function endpointLink(e: EndpointRecord, state: State): string {
  const n = state.networks[e.network];
  return (n && driverOf(n).endpointLinks(e)[0]) ?? '-';
}
