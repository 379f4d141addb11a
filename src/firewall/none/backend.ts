// The `none` backend: the user manages the firewall; nslab writes, reads and reports nothing of it.
import type { Command } from '../../exec/command.js';
import type { Firewall, FirewallChange, FirewallOrphans, FirewallView, NetworkRulesSummary, PortsChange, PublishedPorts } from '../firewall.js';

const VIEW: FirewallView = { backend: 'none' };

/**
 * For hosts where someone else owns the ruleset (firewalld, a hand-written nftables file):
 * networks get no NAT, isolation, ICC rule or source check from nslab, so nothing can be
 * missing and nothing is left over. Every method is trivially idempotent.
 */
export class NoFirewall implements Firewall {
  readonly name = 'none';
  readonly manages = false;
  async observe(): Promise<FirewallView> {
    return VIEW;
  }
  ensureNetwork(): FirewallChange[] {
    return [];
  }
  removeNetwork(): Command[] {
    return [];
  }
  orphans(): FirewallOrphans {
    return { removed: [], commands: [], lookalikes: [] };
  }
  rulesOf(): NetworkRulesSummary | undefined {
    return undefined;
  }
  removeShared(): Command[] {
    return [];
  }
  /** Published ports are the user's to forward: nothing is written, so nothing is missing. */
  ensurePorts(): PortsChange | undefined {
    return undefined;
  }
  portsView(): FirewallView {
    return VIEW;
  }
  removePorts(): Command[] {
    return [];
  }
  portsOf(): PublishedPorts[] {
    return [];
  }
  needsBridgeNetfilter(): boolean {
    return false;
  }
}
