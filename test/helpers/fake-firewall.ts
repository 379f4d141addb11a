// A recording firewall for unit tests: holds networks' intent in memory, records every call.
import type { Command } from '../../src/exec/command.js';
import type { ContainerPorts, Firewall, FirewallChange, FirewallOrphans, FirewallView, NetworkFirewallSpec, NetworkRulesSummary, PortsChange, PortsWanted, PublishedPorts } from '../../src/firewall/firewall.js';
import type { FirewallBackendName } from '../../src/state/types.js';

interface FakeView extends FirewallView {
  /** Networks whose rules are in place, as they were ensured. */
  readonly networks: ReadonlyMap<string, NetworkFirewallSpec>;
  readonly shared: boolean;
  readonly ports: ReadonlyMap<string, PublishedPorts>;
}

/** A command value naming what the fake backend would do; the fake runner records it. */
const cmd = (...args: string[]): Command => ({ kind: 'cmd', file: 'fakefw', args, mutates: true });

/**
 * What `observe` reports is what the test put in `networks` (the commands are never applied
 * to it): a test sets the host up, plans against it and reads `calls` and the runner's lines.
 */
export class FakeFirewall implements Firewall {
  /** Rules present on the "host", by network name. */
  readonly networks = new Map<string, NetworkFirewallSpec>();
  /** Parts of a network's intent reported missing even though the network is present. */
  readonly missingParts = new Map<string, string[]>();
  /** Containers whose port rules are in place, by container name. */
  readonly ports = new Map<string, PublishedPorts>();
  /** Networks with rules that belong to this lab (orphans unless recorded). */
  shared = false;
  readonly calls: string[] = [];

  constructor(readonly name: FirewallBackendName = 'iptables', readonly manages = true) {}

  async observe(): Promise<FirewallView> {
    this.calls.push('observe');
    const view: FakeView = { backend: this.name, networks: new Map(this.networks), shared: this.shared, ports: new Map(this.ports) };
    return view;
  }

  private viewOf(v: FirewallView): FakeView {
    if (v.backend !== this.name) throw new Error(`fake ${this.name} handed a view of ${v.backend}`);
    return v as FakeView;
  }

  ensureNetwork(view: FirewallView, n: NetworkFirewallSpec): FirewallChange[] {
    this.calls.push(`ensureNetwork ${n.name}`);
    const have = this.viewOf(view).networks.get(n.name);
    const out: FirewallChange[] = [];
    if (!have || (this.missingParts.get(n.name) ?? []).includes('source-check')) {
      out.push({ part: 'source-check', missing: [have ? `source-check of ${n.name} is missing` : `every rule of ${n.name} is missing`], apply: [cmd('add', 'source-check', n.name, n.iface, n.subnet)], revert: [cmd('del', 'source-check', n.name)] });
    }
    // The gateway (DNS rules) is not among what this fake records of a network's traffic.
    const { gateway: _gateway, ...traffic } = n;
    if (!have || JSON.stringify(have) !== JSON.stringify(traffic) || (this.missingParts.get(n.name) ?? []).includes('traffic')) {
      const what = [n.masquerade ? 'masquerade' : 'no-masquerade', n.icc ? 'icc' : 'no-icc', n.internal ? 'internal' : 'external'];
      out.push({ part: 'traffic', missing: have ? [`traffic of ${n.name} is missing`] : [], apply: [cmd('add', 'traffic', n.name, ...what)], revert: [cmd('del', 'traffic', n.name)] });
    }
    return out;
  }

  removeNetwork(view: FirewallView, n: NetworkFirewallSpec): Command[] {
    this.calls.push(`removeNetwork ${n.name}`);
    return this.viewOf(view).networks.has(n.name) ? [cmd('del', 'network', n.name)] : [];
  }

  orphans(view: FirewallView, recorded: (network: string) => boolean, wanted: PortsWanted = () => undefined): FirewallOrphans {
    this.calls.push('orphans');
    const gone = [...this.viewOf(view).networks.keys()].filter((n) => !recorded(n));
    const stale = [...this.viewOf(view).ports.values()].filter((p) => JSON.stringify(wanted(p.network, p.container)?.c) !== JSON.stringify({ container: p.container, ip: p.ip, ports: p.ports }));
    return {
      removed: [...gone.map((n) => `rules of ${n}`), ...stale.map((p) => `port rules of ${p.container}`)],
      commands: [...gone.map((n) => cmd('del', 'network', n)), ...stale.map((p) => cmd('del', 'ports', p.container))],
      lookalikes: [],
    };
  }

  ensurePorts(view: FirewallView, n: NetworkFirewallSpec, c: ContainerPorts): PortsChange | undefined {
    this.calls.push(`ensurePorts ${c.container}`);
    const have = this.viewOf(view).ports.get(c.container);
    if (have && have.network === n.name && JSON.stringify({ container: have.container, ip: have.ip, ports: have.ports }) === JSON.stringify(c)) return undefined;
    const spec = c.ports.map((p) => `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}->${c.ip}:${p.containerPort}/${p.protocol}`);
    return { missing: [`port rules of ${c.container} are missing`], apply: [cmd('add', 'ports', c.container, n.name, ...spec)], revert: [cmd('del', 'ports', c.container)] };
  }

  portsView(): FirewallView {
    this.calls.push('portsView');
    const view: FakeView = { backend: this.name, networks: new Map(this.networks), shared: this.shared, ports: new Map() };
    return view;
  }

  removePorts(view: FirewallView, container: string): Command[] {
    this.calls.push(`removePorts ${container}`);
    return this.viewOf(view).ports.has(container) ? [cmd('del', 'ports', container)] : [];
  }

  portsOf(view: FirewallView): PublishedPorts[] {
    return [...this.viewOf(view).ports.values()];
  }

  rulesOf(view: FirewallView, network: string): NetworkRulesSummary | undefined {
    const n = this.viewOf(view).networks.get(network);
    return n && { masquerade: n.masquerade, icc: n.icc, internal: n.internal };
  }

  removeShared(view: FirewallView): Command[] {
    this.calls.push('removeShared');
    const v = this.viewOf(view);
    return v.shared && v.networks.size === 0 ? [cmd('del', 'shared')] : [];
  }

  needsBridgeNetfilter(n: NetworkFirewallSpec): boolean {
    return this.manages && !n.icc;
  }
}
