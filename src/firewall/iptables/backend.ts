// The iptables backend: nslab's rules as data, read back from iptables-save, changed by iptables-restore.
import type { Command } from '../../exec/command.js';
import { runOk, type Runner } from '../../exec/runner.js';
import { currentLab } from '../../state/lab-id.js';
import type { ContainerPorts, Firewall, FirewallChange, FirewallOrphans, FirewallView, NetworkFirewallSpec, NetworkRulesSummary, PortsChange, PortsWanted, PublishedPorts } from '../firewall.js';
import { DNAT_CHAIN, FWD_CHAIN, INPUT_CHAIN, ISO1_CHAIN, ISO2_CHAIN, NAT_CHAIN, RAW_CHAIN, USER_CHAIN, legacyNetworkComment, networkComment, parseNetworkComment } from './names.js';
import { byTable, deleteEach, restore, ruleLine } from './restore.js';
import { BASE_CHAINS, BASE_RULES, dnsRules, INPUT_BASE_CHAIN, INPUT_JUMP, networkRules, ruleWords, spoofRules, type ChainDecl, type Rule, type Table } from './rules.js';
import { commentOf, hasChain, hasRule, parseIptablesSave, rulesOf, type Ruleset } from './save.js';
import { probeRunning, staleTraceRules } from './trace-rules.js';
import { PORT_BASE_RULES, ensurePortRules, orphanPortRules, sharedPortsText, portRulesOfNetwork, publishedPorts, removePortRules } from './ports.js';

interface IptablesView extends FirewallView {
  readonly backend: 'iptables';
  readonly ruleset: Ruleset;
}

/** A view of the ruleset `iptables-save` printed as `text` (tests build views this way). */
export function iptablesView(text: string): FirewallView {
  const view: IptablesView = { backend: 'iptables', ruleset: parseIptablesSave(text) };
  return view;
}

function rulesetOf(view: FirewallView): Ruleset {
  if (view.backend !== 'iptables') throw new Error(`the iptables backend was handed a view of the ${view.backend} backend`);
  return (view as IptablesView).ruleset;
}

const shown = (r: Rule) => `-t ${r.table} ${ruleWords(r).join(' ')}`;

/** One restore adding the chains and rules missing from `live` (none when all exist), and a line for each. */
function ensure(live: Ruleset, chains: readonly ChainDecl[], rules: readonly Rule[]): { commands: Command[]; missing: string[] } {
  const lines = byTable();
  const missing: string[] = [];
  for (const c of chains) {
    if (hasChain(live, c.table, c.chain)) continue;
    lines.get(c.table)!.push(`:${c.chain} - [0:0]`);
    missing.push(`nslab's chain ${c.table}/${c.chain} is missing`);
  }
  for (const r of rules) {
    if (hasRule(live, r)) continue;
    lines.get(r.table)!.push(ruleLine('-A', r));
    missing.push(`${r.what} (${shown(r)})`);
  }
  return { commands: restore(lines), missing };
}

/** One restore deleting those of `rules` present in `live` (absent ones are success). */
function remove(live: Ruleset, rules: readonly Rule[]): Command[] {
  const lines = byTable();
  for (const r of rules) if (hasRule(live, r)) lines.get(r.table)!.push(ruleLine('-D', r));
  return restore(lines);
}

/** The network's rules as the release before lab ids commented them (`nslab:net=NAME`). */
// (No release before lab ids wrote DNS rules; a copy so commented is still one to retire.)
const legacyRules = (n: NetworkFirewallSpec) => [...networkRules(n, legacyNetworkComment(n.name)), ...dnsRules(n, legacyNetworkComment(n.name))];
const isRaw = (x: { table: Table }) => x.table === 'raw';

/** Rules carrying this lab's comment (or, with `legacy`, the old one) for a network `recorded` does not know. */
function orphanRules(live: Ruleset, recorded: (network: string) => boolean, legacy: boolean): Rule[] {
  const out: Rule[] = [];
  for (const [table, rules] of live.rules) {
    for (const w of rules) {
      const m = parseNetworkComment(commentOf(w));
      if (m && (legacy ? m.lab === undefined : m.lab === currentLab()) && !recorded(m.network)) {
        out.push({ table: table as Table, chain: w[1]!, spec: w.slice(2) });
      }
    }
  }
  return out;
}

export class IptablesFirewall implements Firewall {
  readonly name = 'iptables';
  readonly manages = true;

  /** `running(pid)`: whether a trace probe's process is still there (tests pass their own). */
  constructor(private readonly running: (pid: number) => boolean = probeRunning) {}

  async observe(runner: Runner): Promise<FirewallView> {
    const out = await runOk(runner, { kind: 'cmd', file: 'iptables-save', args: [], mutates: false }, 'read the ruleset');
    return iptablesView(out.stdout);
  }

  ensureNetwork(view: FirewallView, n: NetworkFirewallSpec): FirewallChange[] {
    const live = rulesetOf(view);
    const out: FirewallChange[] = [];
    // The source check is a change of its own (its own restore, raw table), so that it reads
    // as its own lesson in --dry-run and explain.
    const spoof = spoofRules(n);
    const check = ensure(live, BASE_CHAINS.filter(isRaw), [...BASE_RULES.filter(isRaw), ...spoof]);
    if (check.commands.length) out.push({ part: 'source-check', missing: check.missing, apply: check.commands, revert: deleteEach(spoof) });
    const rules = networkRules(n).filter((r) => !isRaw(r));
    const traffic = ensure(live, BASE_CHAINS.filter((c) => !isRaw(c)), [...BASE_RULES.filter((r) => !isRaw(r)), ...rules]);
    if (traffic.commands.length) out.push({ part: 'traffic', missing: traffic.missing, apply: traffic.commands, revert: deleteEach(rules) });
    const dnsOnly = dnsRules(n);
    const dns = dnsOnly.length ? ensure(live, [INPUT_BASE_CHAIN], [INPUT_JUMP, ...dnsOnly]) : undefined;
    if (dns?.commands.length) out.push({ part: 'dns', missing: dns.missing, apply: dns.commands, revert: deleteEach(dnsOnly) });
    // The previous release's copies go once this lab's are in place (the same rules, re-commented).
    const oldRules = legacyRules(n).filter((r) => hasRule(live, r));
    if (oldRules.length) {
      out.push({ part: 'old-copies', missing: [`${oldRules.length} rule(s) carry the previous release's comment (no lab id)`], apply: remove(live, oldRules), revert: [] });
    }
    return out;
  }

  removeNetwork(view: FirewallView, n: NetworkFirewallSpec): Command[] {
    const live = rulesetOf(view);
    // Port rules of containers on it (left by an interrupted run) go with the network's own.
    return remove(live, [...networkRules(n), ...dnsRules(n), ...legacyRules(n), ...portRulesOfNetwork(live, n.name)]);
  }

  orphans(view: FirewallView, recorded: (network: string) => boolean, wanted: PortsWanted = () => undefined): FirewallOrphans {
    const live = rulesetOf(view);
    const ports = orphanPortRules(live, wanted);
    const rules = [...orphanRules(live, recorded, false), ...ports.orphans];
    // Not a lab's: any nslab's probe, once its process is gone, left the host's packets traced.
    const traces = staleTraceRules(live, this.running);
    const old = (r: Rule) => `rule ${shown(r)} carries the mark of an nslab release before lab ids and no record of this lab names it: left alone (remove it by hand if it is a leftover)`;
    return {
      removed: [...rules.map((r) => `rule ${shown(r)}`), ...traces.map((x) => `rule ${shown(x.rule)} (the TRACE rule of \`nslab trace --probe\` process ${x.pid}, which is gone)`)],
      commands: remove(live, [...rules, ...traces.map((x) => x.rule)]),
      lookalikes: [...orphanRules(live, recorded, true).map(old),
        ...ports.drift.map((r) => `rule ${shown(r)} is a port rule of a recorded container, not as its record asks (an earlier form, or a mapping since dropped): left to \`nslab check --repair\`, which puts the container's rules right in one restore`)],
    };
  }

  rulesOf(view: FirewallView, network: string): NetworkRulesSummary | undefined {
    const live = rulesetOf(view);
    const mine = (table: Table, chain: string) => rulesOf(live, table, chain).filter((w) => w.includes(networkComment(network)));
    const [nat, fwd, iso1, raw] = [mine('nat', NAT_CHAIN), mine('filter', FWD_CHAIN), mine('filter', ISO1_CHAIN), mine('raw', RAW_CHAIN)];
    if (!nat.length && !fwd.length && !iso1.length && !raw.length && !mine('filter', ISO2_CHAIN).length) return undefined;
    return {
      masquerade: nat.some((w) => w.includes('MASQUERADE')),
      icc: !fwd.some((w) => w.includes('DROP')),
      internal: iso1.some((w) => w.includes('DROP')),
    };
  }

  removeShared(view: FirewallView): Command[] {
    const live = rulesetOf(view);
    // The chains are shared by every lab in this host: while any rule other than the jumps
    // between them is left (another lab's network, a hand-made one), they all stay.
    const own = [['raw', RAW_CHAIN], ['nat', NAT_CHAIN], ['nat', DNAT_CHAIN], ['filter', FWD_CHAIN], ['filter', ISO1_CHAIN], ['filter', ISO2_CHAIN], ['filter', INPUT_CHAIN]] as const;
    const shared = [...PORT_BASE_RULES, ...BASE_RULES, INPUT_JUMP];
    const base = new Set(shared.map((r) => `${r.table} ${ruleWords(r).join(' ')}`));
    if (own.some(([table, chain]) => rulesOf(live, table, chain).some((w) => !base.has(`${table} ${w.join(' ')}`)))) return [];
    const lines = byTable();
    const userEmpty = rulesOf(live, 'filter', USER_CHAIN).length === 0;
    for (const r of shared) if (hasRule(live, r)) lines.get(r.table)!.push(ruleLine('-D', r));
    // Deleted rule by rule, never flushed: if another lab added a rule meanwhile, -X fails
    // and the whole restore (one transaction) changes nothing.
    for (const [table, chain] of own) if (hasChain(live, table, chain)) lines.get(table)!.push(`-X ${chain}`);
    if (userEmpty && hasChain(live, 'filter', USER_CHAIN)) lines.get('filter')!.push(`-X ${USER_CHAIN}`);
    return restore(lines);
  }

  ensurePorts(view: FirewallView, n: NetworkFirewallSpec, c: ContainerPorts): PortsChange | undefined {
    return ensurePortRules(rulesetOf(view), n, c);
  }

  portsView(): FirewallView {
    return iptablesView(sharedPortsText());
  }

  removePorts(view: FirewallView, container: string): Command[] {
    return removePortRules(rulesetOf(view), container);
  }

  portsOf(view: FirewallView): PublishedPorts[] {
    return publishedPorts(rulesetOf(view));
  }

  needsBridgeNetfilter(n: NetworkFirewallSpec): boolean {
    // Without it, frames between two ports of one bridge never meet iptables and the ICC DROP
    // does nothing (Docker's --icc=false silently did nothing for years this way).
    return !n.icc;
  }
}
