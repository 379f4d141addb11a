// gc: remove what carries nslab's mark but no record explains; report unmarked look-alikes.
import { delLink, kindOf } from '../kernel/link.js';
import { delNetns } from '../kernel/netns.js';
import { removeNetnsFiles } from '../kernel/netns-files.js';
import type { HostView } from '../kernel/observe.js';
import type { Rule, Table } from '../firewall/rules.js';
import type { Ruleset } from '../firewall/ruleset.js';
import type { State } from '../state/types.js';
import type { EngineContext } from './context.js';
import { step, type Step } from './step.js';
import { findMarked } from './sweep.js';

export interface GcPlan {
  steps: Step[];
  /** What will be removed, one line each. */
  removed: string[];
  /** Objects that look like nslab's (by name) but carry no mark: reported, never touched. */
  lookalikes: string[];
}

/** Rules carrying the comment of a network that is not recorded. */
function orphanRules(live: Ruleset, state: State): Rule[] {
  const out: Rule[] = [];
  for (const [table, rules] of live.rules) {
    for (const w of rules) {
      const c = w.indexOf('--comment');
      const m = c >= 0 ? /^nslab:net=(.+)$/.exec(w[c + 1] ?? '') : null;
      if (m && !state.networks[m[1]!]) out.push({ table: table as Table, chain: w[1]!, spec: w.slice(2) });
    }
  }
  return out;
}

export function planGc(ctx: EngineContext, state: State, view: HostView, live: Ruleset): GcPlan {
  const marked = findMarked(view.links, view.netns);
  const veths = new Set(Object.values(state.containers).flatMap((c) => c.endpoints.map((e) => e.hostVeth)));
  const bridges = new Set(Object.values(state.networks).map((n) => n.bridge));
  const removed: string[] = [];
  const steps: Step[] = [];
  for (const n of marked.etc.filter((x) => !state.containers[x])) {
    if (marked.netns.includes(n)) {
      steps.push(step(`${n}/netns`, `delete unrecorded namespace ${n}`, 0, [delNetns(n)]));
      removed.push(`netns ${n}`);
    }
    steps.push(step(`${n}/files`, `remove unrecorded /etc/netns/${n}`, 1, [removeNetnsFiles(n)]));
    removed.push(`/etc/netns/${n}`);
  }
  for (const v of marked.veths.filter((x) => !veths.has(x))) {
    steps.push(step(`${v}/link`, `delete unrecorded veth ${v} (${view.links.find((l) => l.ifname === v)?.ifalias})`, 2, [delLink(v)]));
    removed.push(`link ${v}`);
  }
  for (const b of marked.bridges.filter((x) => !bridges.has(x))) {
    steps.push(step(`${b}/bridge`, `delete unrecorded bridge ${b}`, 3, [delLink(b)]));
    removed.push(`link ${b}`);
  }
  const rules = orphanRules(live, state);
  const del = ctx.fw.remove(live, rules);
  if (del.length) {
    steps.push(step('firewall/orphans', `remove ${rules.length} rule(s) of networks no record explains`, 4, del));
    removed.push(...rules.map((r) => `rule -t ${r.table} -A ${r.chain} ${r.spec.join(' ')}`));
  }
  const ours = new Set([...marked.veths, ...marked.bridges]);
  const lookalikes = view.links
    .filter((l) => /^(nslab|nv-)/.test(l.ifname) && !ours.has(l.ifname) && !bridges.has(l.ifname) && !veths.has(l.ifname))
    .map((l) => `link ${l.ifname} (${kindOf(l) ?? 'device'}) is named like nslab's but carries no nslab alias: left alone`);
  return { steps, removed, lookalikes };
}
