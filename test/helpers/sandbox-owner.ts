// Who holds a sandbox tag, and what it made that nslab's own records do not name. A test run
// that was killed half-way (SIGKILL, a session or CI job ending) leaves its fake host, world and
// containers behind, and the next run of that test file would fail on "File exists". The next
// sandbox with the tag removes them, by their exact names, and only once the process that made
// them is gone; a tag held by a live process is refused.
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** Where each sandbox records what it made (TAG.json), while it runs. */
export const OWNER_DIR = '/run/nslab-tests';

export interface Owner {
  pid: number;
  /** The process's start time (/proc/PID/stat field 22), so a reused PID is not taken for it. */
  start: string;
  /** State directories the CLI ran with: `nslab reset` there removes what they record. */
  stateDirs: string[];
  /** File systems mounted by the test (a small tmpfs as a full disk, say). */
  mounts: string[];
  /** Namespaces the test made by hand, beside the fake host and world. */
  netns: string[];
  /** Files to remove before anything else (the filler of a full disk, which reset needs room from). */
  scratch: string[];
}

const file = (tag: string) => join(OWNER_DIR, `${tag}.json`);

export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function readOwner(tag: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(file(tag), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

export function writeOwner(tag: string, owner: Owner): void {
  mkdirSync(OWNER_DIR, { recursive: true, mode: 0o700 });
  writeFileSync(file(tag), JSON.stringify(owner) + '\n');
}

export function dropOwner(tag: string): void {
  rmSync(file(tag), { force: true });
}

export const alive = (o: Owner) => startTime(o.pid) === o.start;

/** PIDs of the processes whose network namespace is one of `names` (under /run/netns). */
export function processesIn(names: string[]): number[] {
  const inodes = new Set(names.flatMap((n) => {
    try {
      return [`net:[${statSync(`/run/netns/${n}`).ino}]`];
    } catch {
      return [];
    }
  }));
  if (!inodes.size) return [];
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).flatMap((p) => {
    try {
      return inodes.has(readlinkSync(`/proc/${p}/ns/net`)) ? [Number(p)] : [];
    } catch {
      return [];
    }
  });
}

async function gone(pids: number[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (pids.some((p) => existsSync(`/proc/${p}`)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** The containers a state directory records (their namespaces carry their names). */
function recorded(stateDir: string): string[] {
  try {
    return Object.keys((JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { containers?: object }).containers ?? {});
  } catch {
    return [];
  }
}

/**
 * Remove what an earlier holder of `tag` left (see the top of this file). `host` and `world`:
 * the sandbox's namespaces; `cli`: the CLI to run `reset` with. Throws when the tag is held by
 * a live process, or when leftovers exist that no record explains.
 */
export async function reclaim(tag: string, host: string, world: string, cli: string): Promise<void> {
  const owner = readOwner(tag);
  const there = [host, world].filter((n) => existsSync(`/run/netns/${n}`));
  if (!owner) {
    if (there.length) throw new Error(`sandbox ${tag}: ${there.join(', ')} exist and no record in ${OWNER_DIR} says who made them; remove them by hand (ip netns del NAME)`);
    return;
  }
  if (alive(owner)) throw new Error(`sandbox ${tag} is in use by PID ${owner.pid} (another run of this test file?)`);
  for (const f of owner.scratch) rmSync(f, { force: true });
  const names = [host, world, ...owner.netns, ...owner.stateDirs.flatMap(recorded)];
  const stale = processesIn(names);
  for (const p of stale) process.kill(p, 'SIGKILL');
  await gone(stale);
  if (existsSync(`/run/netns/${host}`)) {
    for (const d of owner.stateDirs.filter((d) => existsSync(join(d, 'state.json')) || existsSync(join(d, 'intent.json')))) {
      const r = await execa('nsenter', [`--net=/run/netns/${host}`, 'node', cli, '--state-dir', d, '--socket', join(d, 'nslabd.sock'), 'reset'], { reject: false });
      if (r.exitCode !== 0) throw new Error(`sandbox ${tag}: nslab reset of the stale ${d} failed: ${r.stderr}`);
    }
  }
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const m of owner.mounts) if (mounted.includes(` ${m} `)) await execa('umount', [m]);
  for (const n of [...owner.netns, host, world]) {
    if (existsSync(`/run/netns/${n}`)) await execa('ip', ['netns', 'del', n]);
    if (owner.netns.includes(n)) rmSync(`/etc/netns/${n}`, { recursive: true, force: true });
  }
  for (const d of [...owner.stateDirs, ...owner.mounts]) rmSync(d, { recursive: true, force: true });
  dropOwner(tag);
}
