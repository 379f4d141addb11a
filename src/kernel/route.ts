// Routes: `ip route add`, read with `ip -json route`.
import { ip, ipJson, type Command } from '../exec/command.js';
import { runJson, type Runner } from '../exec/runner.js';

export interface RouteInfo {
  dst: string; // "default" or "a.b.c.d/n" or a bare address
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
}

export function addDefaultRoute(gateway: string, dev: string, netns?: string): Command {
  return ip(['route', 'add', 'default', 'via', gateway, 'dev', dev], { netns });
}

/** `ip route replace default …`: moves the default route in one step (idempotent; no moment without one). */
export function replaceDefaultRoute(gateway: string, dev: string, netns?: string): Command {
  return ip(['route', 'replace', 'default', 'via', gateway, 'dev', dev], { netns });
}

export function listRoutes(runner: Runner, netns?: string): Promise<RouteInfo[]> {
  return runJson<RouteInfo[]>(runner, ipJson(['route', 'show'], netns), 'list routes');
}
