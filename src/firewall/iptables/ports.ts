// Published ports as iptables rules: DNAT, forwarding, hairpin and localhost MASQUERADE, the localhost guard.
import type { Command } from '../../exec/command.js';
import { currentLab } from '../../state/lab-id.js';
import { onLoopback, type ContainerPorts, type NetworkFirewallSpec, type PortMapping, type PortsChange, type PortsWanted, type PublishedPorts } from '../firewall.js';
import { BASE_COMMENT, DNAT_CHAIN, FWD_CHAIN, NAT_CHAIN, RAW_CHAIN, parsePortComment, portComment } from './names.js';
import { byTable, restore, ruleLine } from './restore.js';
import { ruleWords, type ChainDecl, type Rule } from './rules.js';
import { commentOf, hasChain, type Ruleset } from './save.js';

const comment = (c: string) => ['-m', 'comment', '--comment', c];

export const PORT_CHAINS: readonly ChainDecl[] = [{ table: 'nat', chain: DNAT_CHAIN }];

/**
 * What every published port shares: the jumps to NSLAB-DNAT for packets addressed to one of
 * the host's own addresses — from PREROUTING (the world, and containers: hairpin) and OUTPUT
 * (the host itself, 127.0.0.1 included) — and the localhost guard: a DNAT reached through
 * `--dst-type LOCAL` also rewrites a packet to 127.0.0.1 that arrived from the LAN before
 * routing could call it a martian (route_localnet=0 does not protect), so the raw table drops
 * whatever is addressed to 127.0.0.0/8 and did not arrive on lo (as Docker does since 28).
 */
export const PORT_BASE_RULES: readonly Rule[] = [
  { table: 'raw', chain: RAW_CHAIN, spec: ['-d', '127.0.0.0/8', '!', '-i', 'lo', ...comment(BASE_COMMENT), '-j', 'DROP'],
    what: 'localhost guard: drop packets to 127.0.0.0/8 that did not arrive on lo (a LAN host routing 127.0.0.1 here must not reach 127.0.0.1-only ports)' },
  { table: 'nat', chain: 'PREROUTING', spec: ['-m', 'addrtype', '--dst-type', 'LOCAL', ...comment(BASE_COMMENT), '-j', DNAT_CHAIN], insert: true,
    what: `published ports: send traffic to the host's addresses to ${DNAT_CHAIN}` },
  { table: 'nat', chain: 'OUTPUT', spec: ['-m', 'addrtype', '--dst-type', 'LOCAL', ...comment(BASE_COMMENT), '-j', DNAT_CHAIN], insert: true,
    what: `published ports: send the host's own traffic to its addresses (127.0.0.1 included) to ${DNAT_CHAIN}` },
];

/** What every publisher shares, as iptables-save would print it (Firewall.portsView). */
export function sharedPortsText(): string {
  const body = (table: Rule['table']) => [`*${table}`, ...PORT_CHAINS.filter((c) => c.table === table).map((c) => `:${c.chain} - [0:0]`),
    ...PORT_BASE_RULES.filter((r) => r.table === table).map((r) => ruleLine('-A', { ...r, insert: false })), 'COMMIT'];
  return [...body('raw'), ...body('nat'), ...body('filter')].join('\n') + '\n';
}


const proto = (p: PortMapping, port: number) => ['-p', p.protocol, '-m', p.protocol, '--dport', String(port)];

/**
 * The rules of one container's ports on network `n`, each saying what it is for:
 * - DNAT in NSLAB-DNAT from the host port (on its address, or all) to the container;
 * - ACCEPT in NSLAB-FORWARD of new connections to it from outside the bridge (replies are
 *   the network's RELATED,ESTABLISHED rule); the container sees the real client address;
 * - hairpin: MASQUERADE of the network's own traffic DNATed back into the bridge (the
 *   container, or a neighbour, would otherwise get the reply straight from the server's
 *   address and drop it), with hairpin mode on the container's bridge port (the engine's);
 *   only DNATed connections (--ctstate DNAT): with br_netfilter, a neighbour's direct
 *   connection to the container crosses nat POSTROUTING too and must keep its address;
 * - localhost: MASQUERADE of 127.0.0.0/8 sources (the host reaching 127.0.0.1:PORT) leaving
 *   by the bridge, which also needs route_localnet on the bridge (the engine's).
 */
export function portRules(n: Pick<NetworkFirewallSpec, 'name' | 'iface' | 'subnet'>, c: ContainerPorts, lab = currentLab()): Rule[] {
  const owner = comment(portComment(n.name, c.container, lab));
  const to = `${c.ip}/32`;
  // Two host ports to one container port (-p 8080:80 -p 127.0.0.1:8090:80) need one forwarding,
  // hairpin and localhost rule, not two alike: the first says what it is for, then for which else.
  const byKey = new Map<string, { rule: Rule; also: string[] }>();
  /** Rule `r`, written for host binding `via` (the one its `what` names). */
  const add = (r: Rule, via: string) => {
    const key = `${r.table} ${ruleWords(r).join('\u0000')}`;
    const had = byKey.get(key);
    if (had) had.also.push(via);
    else byKey.set(key, { rule: r, also: [] });
  };
  for (const p of c.ports) {
    const host = `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}/${p.protocol}`;
    const target = `${c.container}:${p.containerPort}/${p.protocol}`;
    add({ table: 'nat', chain: DNAT_CHAIN, spec: [...(p.hostIp ? ['-d', `${p.hostIp}/32`] : []), ...proto(p, p.hostPort), ...owner, '-j', 'DNAT', '--to-destination', `${c.ip}:${p.containerPort}`],
      what: `DNAT: host port ${host} → ${target}` }, host);
    add({ table: 'filter', chain: FWD_CHAIN, spec: ['-d', to, '!', '-i', n.iface, '-o', n.iface, ...proto(p, p.containerPort), ...owner, '-j', 'ACCEPT'],
      what: `forward: accept connections from outside to ${target} (published as ${host})` }, host);
    add({ table: 'nat', chain: NAT_CHAIN, spec: ['-s', n.subnet, '-d', to, '-o', n.iface, ...proto(p, p.containerPort), '-m', 'conntrack', '--ctstate', 'DNAT', ...owner, '-j', 'MASQUERADE'],
      what: `hairpin: let ${c.container} and its neighbours on ${n.name} reach ${target} through ${host}` }, host);
    if (onLoopback(p)) {
      const loopback = `127.0.0.1:${p.hostPort}/${p.protocol}`;
      add({ table: 'nat', chain: NAT_CHAIN, spec: ['-s', '127.0.0.0/8', '-d', to, '-o', n.iface, ...proto(p, p.containerPort), ...owner, '-j', 'MASQUERADE'],
        what: `localhost: let the host reach ${target} through ${loopback}` }, loopback);
    }
  }
  return [...byKey.values()].map(({ rule, also }) => (also.length ? { ...rule, what: `${rule.what} (also ${also.join(', ')})` } : rule));
}

/** Every rule of the ruleset as one string, for lookups that do not grow with the table. */
const index = new WeakMap<Ruleset, Set<string>>();
function has(live: Ruleset, r: Rule): boolean {
  let set = index.get(live);
  if (!set) {
    set = new Set();
    for (const [table, rules] of live.rules) for (const w of rules) set.add(`${table} ${w.join('\u0000')}`);
    index.set(live, set);
  }
  return set.has(`${r.table} ${ruleWords(r).join('\u0000')}`);
}

/** The rules of the ruleset whose comment is a port comment of this lab, with what it says. */
function portRulesIn(live: Ruleset): Array<{ rule: Rule; owner: { network: string; container: string } }> {
  const out: Array<{ rule: Rule; owner: { network: string; container: string } }> = [];
  for (const [table, rules] of live.rules) {
    for (const w of rules) {
      const m = parsePortComment(commentOf(w));
      if (m && m.lab === currentLab()) out.push({ rule: { table: table as Rule['table'], chain: w[1]!, spec: w.slice(2) }, owner: m });
    }
  }
  return out;
}

/** Each rule as a restore line after a comment line saying what it is for (iptables-restore skips `#` lines; --dry-run shows them). */
function push(lines: ReturnType<typeof byTable>, op: '-A' | '-D', r: Rule): void {
  lines.get(r.table)!.push(`# ${op === '-A' ? '' : 'remove '}${r.what ?? ''}`, ruleLine(op, r));
}

/** See Firewall.ensurePorts. */
export function ensurePortRules(live: Ruleset, n: NetworkFirewallSpec, c: ContainerPorts): PortsChange | undefined {
  const want = c.ports.length ? [...PORT_BASE_RULES, ...portRules(n, c)] : [];
  const lines = byTable();
  const missing: string[] = [];
  if (c.ports.length) {
    for (const ch of PORT_CHAINS) {
      if (hasChain(live, ch.table, ch.chain)) continue;
      lines.get(ch.table)!.push(`:${ch.chain} - [0:0]`);
      missing.push(`nslab's chain ${ch.table}/${ch.chain} is missing`);
    }
  }
  const added: Rule[] = [];
  for (const r of want) {
    if (has(live, r)) continue;
    push(lines, '-A', r);
    added.push(r);
    missing.push(`rule missing: ${r.what}`);
  }
  // The container's rules that are not wanted any more (its first endpoint moved, a mapping changed).
  const wanted = new Set(want.map((r) => `${r.table} ${ruleWords(r).join('\u0000')}`));
  for (const { rule, owner } of portRulesIn(live)) {
    if (owner.container !== c.container || wanted.has(`${rule.table} ${ruleWords(rule).join('\u0000')}`)) continue;
    push(lines, '-D', { ...rule, what: `stale port rule of ${c.container}` });
    missing.push(`stale port rule of ${c.container}: ${ruleWords(rule).join(' ')}`);
  }
  const apply = restore(lines);
  if (!apply.length) return undefined;
  return { missing, apply, revert: deleteEach(added.filter((r) => !PORT_BASE_RULES.includes(r))) };
}

/** Delete commands for `rules`, newest first, each on its own (a revert tolerates absence). */
function deleteEach(rules: readonly Rule[]): Command[] {
  return [...rules].reverse().map((r) => ({ kind: 'cmd', file: 'iptables', args: ['--wait', '-t', r.table, '-D', r.chain, ...r.spec], mutates: true, absentOk: true }));
}

/** This lab's port rules of containers on network `network` (they go with the network). */
export function portRulesOfNetwork(live: Ruleset, network: string): Rule[] {
  return portRulesIn(live).filter((x) => x.owner.network === network).map((x) => x.rule);
}

/** See Firewall.removePorts: exactly the rules carrying the container's port comment. */
export function removePortRules(live: Ruleset, container: string): Command[] {
  const lines = byTable();
  for (const { rule, owner } of portRulesIn(live)) if (owner.container === container) lines.get(rule.table)!.push(ruleLine('-D', rule));
  return restore(lines);
}

/**
 * Port rules of containers that `wanted` does not name on that network (container gone, no
 * ports there any more, first endpoint moved): `orphans`, gc's to remove. Rules of a container
 * that does publish there but not as these say (an earlier release's form, a mapping since
 * dropped) are `drift`: removing them alone would leave the container without its new rules, so
 * gc leaves them to `check --repair`, which swaps them in one restore.
 */
export function orphanPortRules(live: Ruleset, wanted: PortsWanted): { orphans: Rule[]; drift: Rule[] } {
  const expected = new Map<string, Set<string> | undefined>();
  const out = { orphans: [] as Rule[], drift: [] as Rule[] };
  for (const { rule, owner } of portRulesIn(live)) {
    const key = `${owner.network}\u0000${owner.container}`;
    if (!expected.has(key)) {
      const w = wanted(owner.network, owner.container);
      expected.set(key, w && new Set(portRules(w.n, w.c).map((r) => `${r.table} ${ruleWords(r).join('\u0000')}`)));
    }
    const set = expected.get(key);
    if (!set) out.orphans.push(rule);
    else if (!set.has(`${rule.table} ${ruleWords(rule).join('\u0000')}`)) out.drift.push(rule);
  }
  return out;
}

/** See Firewall.portsOf: the DNAT rules of this lab, read back into mappings per container. */
export function publishedPorts(live: Ruleset): PublishedPorts[] {
  const by = new Map<string, { network: string; container: string; ip: string; ports: PortMapping[] }>();
  for (const { rule, owner } of portRulesIn(live)) {
    if (rule.chain !== DNAT_CHAIN) continue;
    const s = rule.spec;
    const at = (flag: string) => { const i = s.indexOf(flag); return i >= 0 ? s[i + 1] : undefined; };
    const [ip, port] = (at('--to-destination') ?? '').split(':');
    const protocol = at('-p');
    if (!ip || !port || (protocol !== 'tcp' && protocol !== 'udp')) continue;
    const hostIp = at('-d')?.replace(/\/32$/, '');
    const e = by.get(owner.container) ?? { ...owner, ip, ports: [] };
    e.ports.push({ protocol, ...(hostIp ? { hostIp } : {}), hostPort: Number(at('--dport')), containerPort: Number(port) });
    by.set(owner.container, e);
  }
  return [...by.values()];
}
