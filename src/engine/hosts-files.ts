// Hosts files that follow the other containers: when one comes, goes or changes networks, the
// hosts files naming it (its networks' other containers, links to it) are written again.
import { etcDir } from '../kernel/netns-files.js';
import { own } from '../state/dict.js';
import type { ContainerRecord } from '../state/types.js';
import { hostsFileOf } from './plan-container.js';
import { step, type Step } from './step.js';

type Containers = Readonly<Record<string, ContainerRecord>>;
/** What a change is known by: a container's name and endpoints (a whole record will do). */
export type Changed = Pick<ContainerRecord, 'name' | 'endpoints'>;

/** The hosts text of `w` from `all`'s records (a container:OTHER one shows OTHER's), or undefined when `w` is not there. */
function textOf(w: string, all: Containers): string | undefined {
  const c = own(all, w);
  return c && hostsFileOf(c, all);
}

/**
 * The containers of `all` whose hosts file may name one of `changed`: those on a network one
 * of them is on (in any of the versions given), the changed ones still there, and those
 * sharing the namespace of any of these.
 */
function affected(all: Containers, changed: readonly Changed[]): ContainerRecord[] {
  const nets = new Set(changed.flatMap((c) => c.endpoints.map((e) => e.network)));
  const names = new Set(changed.map((c) => c.name));
  const hit = (c: ContainerRecord) => names.has(c.name) || c.endpoints.some((e) => nets.has(e.network));
  const out = Object.values(all).filter(hit);
  const holders = new Set(out.map((c) => c.name));
  out.push(...Object.values(all).filter((c) => c.mode === 'container' && holders.has(c.shares!) && !holders.has(c.name)));
  return out;
}

/**
 * Steps writing the hosts files that the change of `changed` (created, removed, connected or
 * disconnected; give the records as they were and as they are) alters, so that they say what
 * the records in `after` say. With `before` (the records as the files say them now), only the
 * files whose text changes are written, each step's undo writing the old text back; without it
 * (recovery: the files may say anything), every affected file is written. Containers named in
 * `skip` are left out (their own plan writes their files). Pure; idempotent in effect.
 */
export function hostsSteps(
  after: Containers, changed: readonly Changed[], before?: Containers, skip: ReadonlySet<string> = new Set(), why = '',
): Step[] {
  const versions = changed.flatMap((c) => [c, own(after, c.name) ?? [], (before && own(before, c.name)) ?? []].flat());
  return affected(after, versions).flatMap((w) => {
    if (skip.has(w.name)) return [];
    const want = textOf(w.name, after);
    const prior = before && textOf(w.name, before);
    if (want === undefined || (before && prior === want)) return [];
    const path = etcDir(w.name, 'hosts');
    return [step(`${w.name}/hosts`, `write ${path}${why}`, 'files',
      [{ kind: 'write', path, content: want }], prior === undefined ? [] : [{ kind: 'write', path, content: prior }])];
  });
}
