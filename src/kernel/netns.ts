// Network namespaces: `ip netns add/del`, and the list read from /run/netns.
import { readdirSync } from 'node:fs';
import { ip, type Command, type FileOp } from '../exec/command.js';

export const NETNS_DIR = '/run/netns';

/** Create a named namespace (fails with "exists" if present; the planner checks first). */
export function addNetns(name: string): Command {
  return ip(['netns', 'add', name]);
}

/** Give an existing namespace (that of process PID) a name: how a host-mode container is made. */
export function attachNetns(name: string, pid: number): Command {
  return ip(['netns', 'attach', name, String(pid)]);
}

/** The empty file a namespace name is bound onto (what `ip netns add` creates first). */
export function netnsMountPoint(name: string): FileOp {
  return { kind: 'write', path: `${NETNS_DIR}/${name}`, content: '' };
}

/** Bind OTHER's namespace to a second name: a container sharing another's namespace. */
export function shareNetns(other: string, name: string): Command {
  return { kind: 'cmd', file: 'mount', args: ['--bind', `${NETNS_DIR}/${other}`, `${NETNS_DIR}/${name}`], mutates: true };
}

/** Remove a mount point left without its mount (absent is fine). */
export function removeMountPoint(name: string): FileOp {
  return { kind: 'rm', path: `${NETNS_DIR}/${name}` };
}

/**
 * Delete a namespace's name (unmount and unlink). The namespace itself, and its veth ends,
 * go when nothing else holds it: not for host mode or a shared one. "not found" is success.
 */
export function delNetns(name: string): Command {
  return ip(['netns', 'del', name], { absentOk: true });
}

/** Names of all namespaces visible to `ip netns` (one small directory: read synchronously). */
export async function listNetns(): Promise<Set<string>> {
  try {
    return new Set(readdirSync(NETNS_DIR));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw e;
  }
}
