// The firewall at the level of intent: what a network's traffic may do, not how a backend writes it.
import type { Command } from '../exec/command.js';
import type { Runner } from '../exec/runner.js';
import type { FirewallBackendName } from '../state/types.js';

/** What a backend needs to know of one network: everything its rules depend on. */
export interface NetworkFirewallSpec {
  readonly name: string;
  /** The host interface the network's traffic crosses (a bridge network's bridge). */
  readonly iface: string;
  /** Its IPv4 subnet: what the source check accepts and what MASQUERADE rewrites. */
  readonly subnet: string;
  readonly masquerade: boolean;
  /** Containers on the network may talk to each other (Docker's ICC). */
  readonly icc: boolean;
  /** No traffic leaves or enters the network (Docker's --internal). */
  readonly internal: boolean;
  /** Its IPv4 gateway on the host, where nslabd's DNS server listens (port 53 accepted from `iface`). */
  readonly gateway?: string;
}

/** What a backend read from the host. Opaque to the engine, which only hands it back. */
export interface FirewallView {
  readonly backend: FirewallBackendName;
}

/** Commands putting one part of a network's intent in place, and those taking it back out. */
export interface FirewallChange {
  /**
   * `source-check`: packets from the network with a source outside its subnet are dropped;
   * `traffic`: NAT, forwarding, ICC, isolation from other networks, internal;
   * `old-copies`: removing the copies an earlier release wrote (after the new ones are in);
   * `dns`: the host accepts DNS (udp and tcp 53) from the network to its gateway, nothing else.
   */
  readonly part: 'source-check' | 'traffic' | 'old-copies' | 'dns';
  /** What of the intent was missing (or left over) that this change mends, one line each in the lab's words: what check reports. */
  readonly missing: readonly string[];
  readonly apply: readonly Command[];
  /** Undo of `apply` when a later step fails; absence is tolerated. */
  readonly revert: readonly Command[];
}

/** What a network's rules say (rebuild-state reads a network's settings back from them). */
export interface NetworkRulesSummary {
  readonly masquerade: boolean;
  readonly icc: boolean;
  readonly internal: boolean;
}

/** Rules of this lab's networks that no record explains. */
export interface FirewallOrphans {
  /** One line each for what `commands` removes. */
  readonly removed: readonly string[];
  readonly commands: readonly Command[];
  /** Look-alikes (an earlier release's marks, maybe another lab's): reported, never touched. */
  readonly lookalikes: readonly string[];
}

/** A container port published on the host (Docker's -p): one host port to one container port. */
export interface PortMapping {
  readonly protocol: 'tcp' | 'udp';
  /** Absent: every host address (0.0.0.0), 127.0.0.1 included. */
  readonly hostIp?: string;
  readonly hostPort: number;
  readonly containerPort: number;
}

/** A container's published ports on the network of its first endpoint, whose address DNAT targets. */
export interface ContainerPorts {
  readonly container: string;
  readonly ip: string;
  readonly ports: readonly PortMapping[];
}

/** Commands putting a container's port rules in place (or taking stale ones out), and what they mend. */
export interface PortsChange {
  readonly missing: readonly string[];
  readonly apply: readonly Command[];
  readonly revert: readonly Command[];
}

/** The ports container `container` records on network `network`, with that network's spec; undefined when it records none there. */
export type PortsWanted = (network: string, container: string) => { n: NetworkFirewallSpec; c: ContainerPorts } | undefined;

/** A container's port rules as the host holds them (rebuild-state reads the record back from them). */
export interface PublishedPorts extends ContainerPorts {
  readonly network: string;
}

/** Does a mapping answer on 127.0.0.1 (the wildcard does, as Docker's)? Then the host's own loopback traffic needs MASQUERADE and route_localnet. */
export const onLoopback = (p: Pick<PortMapping, 'hostIp'>) => p.hostIp === undefined || p.hostIp.startsWith('127.');

/**
 * A firewall backend. Every planning method is pure (a view in, command values out), so a
 * plan can be run, printed by --dry-run or explained alike. Idempotency: against a view that
 * already holds what is asked, ensure and remove return nothing.
 */
export interface Firewall {
  readonly name: FirewallBackendName;
  /** False for a backend that leaves the firewall to the user (check says so). */
  readonly manages: boolean;
  /** Read what the backend needs from the host. Changes nothing. */
  observe(runner: Runner): Promise<FirewallView>;
  /**
   * The changes making network `n`'s rules exist (with the shared parts they need); only what
   * is missing, each saying what it mends (so check is this plan against the live ruleset).
   */
  ensureNetwork(view: FirewallView, n: NetworkFirewallSpec): FirewallChange[];
  /** Commands removing network `n`'s rules, earlier releases' copies included; absent ones are success. */
  removeNetwork(view: FirewallView, n: NetworkFirewallSpec): Command[];
  /**
   * Rules of this lab's networks for which `recorded(name)` is false, and port rules that
   * `wanted` (a container's recorded ports on that network) does not name; the commands removing
   * them. A recorded publisher's rules that differ from its record are check's to repair (reported
   * as look-alikes): removed alone, they would leave it without the rules it should have.
   */
  orphans(view: FirewallView, recorded: (network: string) => boolean, wanted?: PortsWanted): FirewallOrphans;
  /** What the rules of this lab's network `network` say, or undefined when it has none. */
  rulesOf(view: FirewallView, network: string): NetworkRulesSummary | undefined;
  /**
   * Commands removing what every network of every lab on the host shares (chains, jumps), only
   * when nothing but those is left; none otherwise.
   */
  removeShared(view: FirewallView): Command[];
  /** Must bridged frames pass through netfilter (br_netfilter) for `n`'s rules to hold? */
  needsBridgeNetfilter(n: NetworkFirewallSpec): boolean;
  /**
   * The change making container `c`'s published ports answer through network `n` (DNAT,
   * forwarding, hairpin and localhost MASQUERADE, the shared chain, jumps and localhost guard),
   * only what is missing, and taking out the container's rules that `c` no longer wants (its
   * first endpoint moved); undefined when all is in place.
   */
  ensurePorts(view: FirewallView, n: NetworkFirewallSpec, c: ContainerPorts): PortsChange | undefined;
  /**
   * A view to plan the ports of new containers against without reading the host, for when the
   * records say another container already publishes through this backend: what every publisher
   * shares is taken as in place (check reports it otherwise), and no container's rules. So a
   * create's plan does not grow with the ruleset.
   */
  portsView(): FirewallView;
  /** Commands removing every port rule of container `container` (exactly those; none when it has none). */
  removePorts(view: FirewallView, container: string): Command[];
  /** The published ports of this lab's containers as the rules say (rebuild-state). */
  portsOf(view: FirewallView): PublishedPorts[];
}
