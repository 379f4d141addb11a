// Network namespaces: `ip netns add/del`, and the list read from /run/netns.
import { readdirSync } from 'node:fs';
import { ip, type Command } from '../exec/command.js';

export const NETNS_DIR = '/run/netns';

/** Create a named namespace (fails with "exists" if present; the planner checks first). */
export function addNetns(name: string): Command {
  return ip(['netns', 'add', name]);
}

/** Delete a named namespace; its veth ends die with it. "not found" counts as success. */
export function delNetns(name: string): Command {
  return ip(['netns', 'del', name]);
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
