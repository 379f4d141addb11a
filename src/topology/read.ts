// Read the live kernel for the diagram: the host's links, addresses and routes, every namespace
// named in /run/netns (not only nslab's), VXLAN forwarding entries and the nat table. Reads only:
// never the state lock, and a namespace that goes away mid-read is left out with a note.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Runner } from '../exec/runner.js';
import { listNetns, NETNS_DIR } from '../kernel/netns.js';
import { nsIdentity, observeNs } from '../kernel/observe.js';
import { isLabId } from '../state/lab-id.js';
import { assemble, pairedWithHost, type RawLink, type RawNamed, type RawTopology } from './assemble.js';
import { readMarker } from './marks.js';
import type { Topology } from './model.js';

/** Namespaces read at once: each is three `ip` processes. */
const PARALLEL = 8;


/** `ip [-n NS] -json netns list-id`: namespace ids with each one's identity; empty when unreadable. */
async function nsIds(runner: Runner, netns?: string): Promise<Record<number, string>> {
  const out: Record<number, string> = {};
  try {
    const r = await runner.run({ kind: 'cmd', file: 'ip', args: ['-json', 'netns', 'list-id'], netns, mutates: false });
    for (const e of (r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : []) as Array<{ nsid: number; name?: string }>) {
      try {
        if (e.name) out[e.nsid] = nsIdentity(`${NETNS_DIR}/${e.name}`);
      } catch { /* that name went away meanwhile */ }
    }
  } catch { /* an ip without list-id: peers elsewhere stay unnamed */ }
  return out;
}

/** The VTEPs of a VXLAN device: the `dst` of its forwarding entries (`bridge fdb show dev NAME`). */
async function vteps(runner: Runner, dev: string, netns?: string): Promise<string[]> {
  try {
    const r = await runner.run({ kind: 'cmd', file: 'bridge', args: [...(netns ? ['-n', netns] : []), '-json', 'fdb', 'show', 'dev', dev], mutates: false });
    const entries = (r.exitCode === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : []) as Array<{ dst?: string }>;
    return [...new Set(entries.map((e) => e.dst).filter((d): d is string => !!d))].sort();
  } catch {
    return [];
  }
}

async function natText(runner: Runner): Promise<RawTopology['nat']> {
  try {
    const out = await runner.run({ kind: 'cmd', file: 'iptables-save', args: ['-t', 'nat'], mutates: false });
    return out.exitCode === 0 ? { text: out.stdout } : { error: out.stderr.trim() || `iptables-save exited ${out.exitCode}` };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * The lab id and the names the records of `stateDir` hold: its `lab-id` file (else the copy in
 * state.json) and state.json read as is, without the lock; nothing when unreadable or absent.
 */
function recordsOf(stateDir: string | undefined): { labId?: string; records: RawTopology['records'] } {
  const read = (f: string) => {
    try {
      return readFileSync(join(stateDir!, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  let s: { networks?: object; containers?: object; labId?: unknown } = {};
  try {
    s = JSON.parse(read('state.json') ?? '{}') as typeof s;
  } catch { /* a corrupt state file: no records, the marks still tell */ }
  const file = read('lab-id')?.trim();
  const labId = isLabId(file) ? file : isLabId(s.labId) ? s.labId : undefined;
  return { ...(labId ? { labId } : {}), records: { networks: Object.keys(s.networks ?? {}), containers: Object.keys(s.containers ?? {}) } };
}

/** Run `fn` over `items`, `n` at a time. */
async function pool<T, R>(items: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

/**
 * Everything the diagram shows, read from the kernel of this process's network namespace.
 * `stateDir` says whose marks and records count as "this lab's" (its lab id). Reads only; safe
 * to run at any time and any number of times, beside a running nslab or nslabd.
 */
export async function readTopology(runner: Runner, o: { stateDir?: string } = {}): Promise<Topology> {
  const notes: string[] = [];
  const [host, hostNsids, nat, names] = await Promise.all([observeNs<RawLink>(runner), nsIds(runner), natText(runner), listNetns()]);
  const hostId = nsIdentity('/proc/self/ns/net');
  const read = await pool([...names].sort(), PARALLEL, async (name): Promise<RawNamed | undefined> => {
    try {
      const id = nsIdentity(`${NETNS_DIR}/${name}`);
      const marker = readMarker(name);
      return { name, id, view: id === hostId ? { links: [], addrs: [], routes: [] } : await observeNs<RawLink>(runner, name), ...(marker ? { marker } : {}) };
    } catch {
      notes.push(`namespace ${name} went away (or could not be entered) while it was read`);
      return undefined;
    }
  });
  const named = read.filter((n): n is RawNamed => !!n);
  // A namespace's own ids are read only where a link points to a namespace the host side does not explain.
  await Promise.all(named.filter((n) => n.view.links.some((l) => l.link_netnsid !== undefined && !pairedWithHost({ host, hostNsids }, n, l)))
    .map(async (n) => void (n.nsids = await nsIds(runner, n.name))));
  const fdb: Record<string, string[]> = {};
  const vx = [{ ns: '', v: host }, ...named.map((n) => ({ ns: n.name, v: n.view }))]
    .flatMap(({ ns, v }) => v.links.filter((l) => l.linkinfo?.info_kind === 'vxlan').map((l) => ({ ns, dev: l.ifname })));
  await Promise.all(vx.map(async ({ ns, dev }) => void (fdb[`${ns}/${dev}`] = await vteps(runner, dev, ns || undefined))));
  return assemble({ hostId, host, hostNsids, named, fdb, nat, ...recordsOf(o.stateDir), notes });
}
