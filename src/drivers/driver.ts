// What a network driver is: how its networks and endpoints are made, removed, checked, swept and
// read back. The engine asks these questions and never what a network is made of.
import type { NetworkSpec } from '../engine/inputs.js';
import type { Step } from '../engine/step.js';
import type { Firewall, FirewallView, NetworkFirewallSpec } from '../firewall/firewall.js';
import type { AddrInfo } from '../kernel/addr.js';
import type { LinkInfo } from '../kernel/link.js';
import type { HostView } from '../kernel/observe.js';
import type { RouteInfo } from '../kernel/route.js';
import type { DriverName, EndpointRecord, NetworkBase, NetworkRecord, State } from '../state/types.js';

/** What check read inside a container's namespace. */
export interface InsideView {
  links: LinkInfo[];
  addrs: AddrInfo[];
  routes: RouteInfo[];
  /** The sysctls the drivers asked for (`insideSysctls`), those that exist. */
  sysctls: Record<string, string>;
}

/** The kernel as check saw it around one container; absent: plan from nothing (create). */
export interface Seen {
  host: HostView;
  inside: InsideView;
}

/** An endpoint's steps: on the host (phase links) and inside its namespace (phase inside). */
export interface EndpointSteps {
  host: Step[];
  inside: Step[];
}

/** A firewall backend with the view it read, for the steps of one network. */
export interface FirewallAt {
  fw: Firewall;
  live: FirewallView;
}

/**
 * A network driver, in the shape of CNI's plugin split and netavark's driver: validate
 * (`resolve`), setup, teardown, attach and detach an endpoint, and observe (conflicts, the
 * links it explains for gc, adoption for rebuild-state). Every method is pure: views in,
 * steps out; the engine runs the steps (or prints them). Planning is idempotent: against a
 * host that already holds an object, no step makes it again, and each step planned against an
 * observed host carries the findings that made it needed, which is all that `check` reports.
 */
export interface NetworkDriver<N extends NetworkRecord = NetworkRecord> {
  readonly name: DriverName;
  /**
   * validate: the record for a request, from the fields every network has (`base`: name, id,
   * subnets, internal, firewall, dates) resolved by the engine. Refuses (exit 2) names held by
   * other networks. Pure.
   */
  resolve(spec: NetworkSpec, base: NetworkBase, state: State, host: HostView): N;
  /** Throws a ValidationError naming the field when a record read back from state.json has a bad driver field. */
  checkRecord(n: N): void;
  /** Docker's `Options` of `network inspect` for the driver's settings. */
  options(n: N): Record<string, string>;
  /** The network's host side in a few words, for the CLI's lines ("bridge nslab-lab"). */
  describe(n: N): string;
  /** An endpoint's host side in a few words ("host end nv-c-0 on nslab-lab"). */
  describeEndpoint(e: EndpointRecord, n: N): string;
  /** What `inspect` shows of an endpoint's host side (Docker's fields: HostVeth, Bridge). */
  endpointView(e: EndpointRecord, n: N): Record<string, string>;
  /** The driver's settings in which `have` differs from the request (its own names), for a repeated create. */
  differences(have: N, spec: NetworkSpec, resolved: N): string[];
  /** What the network's firewall rules depend on: the host interface its traffic crosses. */
  firewallSpec(n: N): NetworkFirewallSpec;
  /** Why a recorded network's host object is held by something not this lab's (check's words), or undefined. */
  conflict(n: N, host: HostView): string | undefined;
  /**
   * setup: steps making the network exist against the observed host, only what is missing.
   * Throws ConflictError when its host object is held by something not this lab's.
   */
  setup(n: N, host: HostView, firewall: FirewallAt): Step[];
  /**
   * teardown: steps removing the network (each independent; rules first). Refuses a host object
   * with ports nslab did not record. `host` holds links and namespaces only (observeLinks).
   */
  teardown(n: N, host: HostView, firewall: FirewallAt): Step[];
  /** IPs the network keeps for itself, and the MACs its own objects use on the segment (with who holds each). */
  reserved(n: N): { ips: string[]; macs: Array<[mac: string, holder: string]> };
  /** The endpoint's host-side fields for container `c`'s ethN (a veth's host end), avoiding and joining `taken`. */
  endpointNames(c: string, index: number, taken: Set<string>): Pick<EndpointRecord, 'hostVeth'>;
  /**
   * attach: the endpoint's steps; `defaultRoute`: this is the container's first endpoint. With
   * `seen`, only what is missing, with findings; without, everything (the namespace is new).
   */
  attach(c: string, e: EndpointRecord, n: N, defaultRoute: boolean, seen?: Seen): EndpointSteps;
  /** The sysctls inside a container that `attach` compares with `seen.inside.sysctls`. */
  insideSysctls(e: EndpointRecord, n: N): string[];
  /** detach: the steps removing one endpoint while its namespace lives on (disconnect, a shared namespace, recovery). */
  detach(c: string, e: EndpointRecord, n: N | undefined, reason: string): Step[];
  /** Why the endpoint's host object is not this lab's (check's words), or undefined. */
  endpointConflict(c: string, e: EndpointRecord, host: HostView): string | undefined;
  /** observe: the host links the network itself explains (gc leaves them). */
  hostLinks(n: N): string[];
  /** observe: the host links an endpoint explains (gc leaves them; a create needs them whole). */
  endpointLinks(e: EndpointRecord): string[];
  /** rebuild-state: the networks this lab's marks on the host describe; what could not be read goes to `notes`. */
  adopt(host: HostView, firewallFor: (network: string) => AdoptedFirewall, notes: string[]): N[];
  /** rebuild-state: container `c`'s endpoints on `nets` (this driver's), read from marks and from inside. */
  adoptEndpoints(c: string, host: HostView, inside: Pick<InsideView, 'links' | 'addrs'>, nets: readonly N[], notes: string[]): EndpointRecord[];
  /** Host links this lab marked for container `c` (rebuild reads inside only when there are some). */
  markedFor(c: string, host: HostView): string[];
}

/** The firewall backend whose rules name a network, and what they say (rebuild-state). */
export interface AdoptedFirewall {
  backend: NetworkRecord['firewall'] & string;
  masquerade: boolean;
  icc: boolean;
  internal: boolean;
}
