// Container removal, best effort: every step is tried, what failed stays recorded.
import { lstatSync } from 'node:fs';
import { ConflictError } from '../errors.js';
import { linkNames } from '../kernel/link.js';
import { listNetns } from '../kernel/netns.js';
import { etcDir, isOurs, readNetnsFile } from '../kernel/netns-files.js';
import { dict } from '../state/dict.js';
import type { ContainerRecord, State } from '../state/types.js';
import { detachSteps, endpointLinks, sharersOf } from './containers.js';
import { executeAll, type EngineContext } from './context.js';
import { hostsSteps } from './hosts-files.js';
import { planContainerRemove } from './plan-container.js';
import { unrecordAfter, type Save } from './save.js';
import type { Step } from './step.js';
import { backendsInUse, observeFirewalls } from './firewalls.js';
import { unpublishSteps } from './ports.js';
import { portsOf } from './publish.js';
import type { StepFailure } from './teardown.js';

/**
 * Wait until the host ends of deleted veth pairs are gone (namespace cleanup is asynchronous).
 * Polled in-process (/proc/self/net/dev), not with an `ip` process per look.
 */
async function waitLinksGone(ctx: EngineContext, names: ReadonlySet<string>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (names.size) {
    const live = linkNames();
    const left = [...names].filter((n) => live.has(n));
    if (!left.length) return;
    if (Date.now() > deadline) {
      ctx.log.warn({ links: left }, 'veth host ends still present after namespace deletion');
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Remove containers (recorded ones; absent names are success), best effort: every step is
 * tried and a failure is reported in `failures`, never undone. A container stays recorded
 * unless all of its steps succeeded, so that removing it again finishes the job.
 * A container whose namespace others share is refused unless `force`: then its veths are
 * deleted explicitly (the shared namespace lives on) and the sharers are left with only lo.
 */
export async function removeContainers(
  ctx: EngineContext, state: State, names: readonly string[], save: Save, force = false,
): Promise<{ removed: string[]; failures: string[] }> {
  const netns = await listNetns();
  const recs = [...new Set(names)].map((n) => state.containers[n]).filter((c): c is ContainerRecord => !!c);
  if (!recs.length) return { removed: [], failures: [] };
  const going = new Set(recs.map((c) => c.name));
  const plans = new Map<ContainerRecord, Step[]>();
  // Only a removal of containers that publish ports reads the ruleset.
  const publishing = recs.filter((c) => portsOf(c).length);
  const live = publishing.length ? await observeFirewalls(ctx, backendsInUse(ctx, Object.values(state.networks))) : new Map();
  for (const c of recs) {
    const sharers = sharersOf(state, c.name).filter((s) => !going.has(s.name)).map((s) => s.name);
    if (sharers.length && !force) {
      throw new ConflictError(`container ${c.name}: its network namespace is shared by ${sharers.join(', ')} (network container:${c.name}); remove ${sharers.length > 1 ? 'them' : 'it'} first, or use --force`);
    }
    if (sharers.length && !ctx.dryRun) {
      ctx.notice(`--force: ${sharers.join(', ')} shared the namespace of ${c.name}; ${sharers.length > 1 ? 'they keep' : 'it keeps'} that namespace with only lo, and no network`);
    }
    // A record is not proof of ownership: a namespace (or /etc/netns entry) without nslab's
    // mark is someone else's, whatever state.json says. Drop the record, touch nothing.
    if ((netns.has(c.name) || lstatSync(etcDir(c.name), { throwIfNoEntry: false })) && !isOurs(c.name)) {
      ctx.notice(`container ${c.name}: the namespace or /etc/netns/${c.name} carries no nslab mark, so it is not nslab's: left alone (only the record goes)`);
      plans.set(c, []);
      continue;
    }
    for (const f of ['resolv.conf', 'hosts'] as const) {
      if (readNetnsFile(c.name, f) === 'symlink') ctx.notice(`container ${c.name}: ${etcDir(c.name, f)} is a symbolic link: the link goes, what it points at is not touched`);
    }
    const detach = sharers.length ? c.endpoints.flatMap((e) => detachSteps(state, c.name, e, ` (the namespace outlives ${c.name}: it is shared)`)) : [];
    plans.set(c, [...(portsOf(c).length ? unpublishSteps(ctx, c.name, live) : []), ...planContainerRemove(c.name, netns.has(c.name), detach)]);
  }
  const before = dict(Object.entries(state.containers));
  if (ctx.dryRun) {
    const after = dict(Object.entries(state.containers).filter(([n]) => !going.has(n)));
    await executeAll(ctx, [...[...plans.values()].flat(), ...hostsSteps(after, recs, before, undefined, `: ${recs.map((c) => c.name).join(', ')} left its networks`)]);
    return { removed: recs.map((c) => c.name), failures: [] };
  }
  // The smaller record is staged first (a full disk fails here, before anything changed) and
  // put in place once the kernel objects are gone; what failed to go is recorded again.
  let failed: StepFailure[] = [];
  const unrecord = () => {
    for (const c of recs) delete state.containers[c.name];
    return () => recs.forEach((c) => (state.containers[c.name] = c));
  };
  await unrecordAfter(save, unrecord, async () => {
    // The /etc/netns files are nslab's mark: they go last, and only for a container whose
    // namespace and veths are gone. A mark removed from a namespace still there would make
    // the next `rm` take it for someone else's and leave it.
    const isFiles = (s: Step) => s.id.endsWith('/files');
    failed = await executeAll(ctx, [...plans.values()].flat().filter((s) => !isFiles(s)));
    const clean = [...plans.values()].filter((steps) => !failed.some((f) => steps.includes(f.step)));
    failed.push(...(await executeAll(ctx, clean.flat().filter(isFiles))));
  });
  const gone = recs.filter((c) => !failed.some((f) => plans.get(c)!.includes(f.step)));
  // Containers left alone (not ours: no steps) keep their links: nothing to wait for.
  await waitLinksGone(ctx, new Set(gone.filter((c) => plans.get(c)!.length).flatMap((c) => c.endpoints.flatMap((e) => endpointLinks(state, e)))));
  const left = recs.filter((c) => !gone.includes(c));
  if (left.length) {
    for (const c of left) state.containers[c.name] = c;
    await save();
  }
  // The other containers of their networks stop naming them (best effort, as the rest).
  failed.push(...(await executeAll(ctx, hostsSteps(state.containers, gone, before, undefined, `: ${gone.map((c) => c.name).join(', ')} left its networks`))));
  return { removed: gone.map((c) => c.name), failures: failed.map((f) => f.error.message) };
}
