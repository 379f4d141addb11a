// gc: remove what carries this lab's mark but no record explains; report unmarked look-alikes
// and the previous release's marks; never look at another lab's objects.
import { delLink, kindOf } from '../kernel/link.js';
import { delNetns } from '../kernel/netns.js';
import { removeNetnsFiles } from '../kernel/netns-files.js';
import type { HostView } from '../kernel/observe.js';
import type { State } from '../state/types.js';
import type { EngineContext } from './context.js';
import { step, type Step } from './step.js';
import { driverOf } from '../drivers/registry.js';
import { endpointLinks } from './containers.js';
import { findMarked } from './sweep.js';
import { parseBridgeAlias, parseVethAlias } from './names.js';
import type { FirewallViews } from './firewalls.js';
import { wantedPorts } from './ports.js';

export interface GcPlan {
  steps: Step[];
  /** What will be removed, one line each. */
  removed: string[];
  /**
   * Objects that look like nslab's (by name) but carry no mark, and unrecorded ones carrying
   * the previous release's mark (no lab id: maybe another lab's): reported, never touched.
   */
  lookalikes: string[];
}

export function planGc(ctx: EngineContext, state: State, view: HostView, live: FirewallViews): GcPlan {
  const marked = findMarked(view.links, view.netns);
  // The links the records explain, by each network's driver.
  const veths = new Set(Object.values(state.containers).flatMap((c) => c.endpoints.flatMap((e) => endpointLinks(state, e))));
  const bridges = new Set(Object.values(state.networks).flatMap((n) => driverOf(n).hostLinks(n)));
  const removed: string[] = [];
  const steps: Step[] = [];
  for (const n of marked.etc.filter((x) => !Object.hasOwn(state.containers, x))) {
    if (marked.netns.includes(n)) {
      steps.push(step(`${n}/netns`, `delete unrecorded namespace ${n}`, 'drop-netns', [delNetns(n)]));
      removed.push(`netns ${n}`);
    }
    steps.push(step(`${n}/files`, `remove unrecorded /etc/netns/${n}`, 'drop-files', [removeNetnsFiles(n)]));
    removed.push(`/etc/netns/${n}`);
  }
  for (const v of marked.veths.filter((x) => !veths.has(x))) {
    steps.push(step(`${v}/link`, `delete unrecorded veth ${v} (${view.links.find((l) => l.ifname === v)?.ifalias})`, 'drop-links', [delLink(v)]));
    removed.push(`link ${v}`);
  }
  for (const b of marked.bridges.filter((x) => !bridges.has(x))) {
    steps.push(step(`${b}/bridge`, `delete unrecorded bridge ${b}`, 'drop-bridges', [delLink(b)]));
    removed.push(`link ${b}`);
  }
  const recorded = (network: string) => Object.hasOwn(state.networks, network);
  const orphans = [...live].map(([b, v]) => [b, ctx.firewalls[b].orphans(v, recorded, wantedPorts(state))] as const);
  for (const [b, o] of orphans) {
    if (o.commands.length) steps.push(step(`firewall/${b}/orphans`, `remove ${o.removed.length} rule(s) of networks no record explains`, 'drop-rules', [...o.commands]));
    removed.push(...o.removed);
  }
  const marks = (l: (typeof view.links)[number]) => parseVethAlias(l.ifalias) ?? parseBridgeAlias(l.ifalias);
  const lookalikes = view.links
    .filter((l) => /^(nslab|nv-)/.test(l.ifname) && !marks(l) && !bridges.has(l.ifname) && !veths.has(l.ifname))
    .map((l) => `link ${l.ifname} (${kindOf(l) ?? 'device'}) is named like nslab's but carries no nslab alias: left alone`);
  const old = (what: string) => `${what} carries the mark of an nslab release before lab ids and no record of this lab names it: left alone (remove it by hand if it is a leftover)`;
  lookalikes.push(
    ...marked.legacy.etc.filter((n) => !Object.hasOwn(state.containers, n)).map((n) => old(`/etc/netns/${n}`)),
    ...marked.legacy.veths.filter((v) => !veths.has(v)).map((v) => old(`link ${v}`)),
    ...marked.legacy.bridges.filter((b) => !bridges.has(b)).map((b) => old(`link ${b}`)),
    ...orphans.flatMap(([, o]) => o.lookalikes),
  );
  return { steps, removed, lookalikes };
}
