// The kernel reads a trace is made of, each kept with its argv so the output can say which answer it rests on.
import { argvOf, type Command } from '../exec/command.js';
import type { Runner } from '../exec/runner.js';
import type { LinkInfo } from '../kernel/link.js';
import { shellLine } from '../exec/shell.js';

/** `ip -json route get` answers. */
export interface RouteAnswer {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
}

export interface AddrEntry {
  ifname: string;
  addr_info: Array<{ family: string; local: string; prefixlen: number; scope?: string }>;
}

export interface FdbEntry {
  mac: string;
  ifname: string;
  master?: string;
  flags?: string[];
  state?: string;
}

export interface NeighEntry {
  dst: string;
  dev: string;
  lladdr?: string;
  state?: string[];
}

/** A read-only view of the kernel through `runner`, remembering each command it ran (as a shell line). */
export class KernelReader {
  readonly commands: string[] = [];

  constructor(private readonly runner: Runner) {}

  /** Run a read; its stdout, or the error line when it failed. Never throws on a non-zero exit. */
  async read(file: string, args: readonly string[], netns?: string): Promise<{ ok: true; out: string; line: string } | { ok: false; error: string; line: string }> {
    const cmd: Command = { kind: 'cmd', file, args, netns, mutates: false };
    const line = shellLine(argvOf(cmd));
    this.commands.push(line);
    const r = await this.runner.run(cmd);
    return r.exitCode === 0 ? { ok: true, out: r.stdout, line } : { ok: false, error: r.stderr.trim() || `${file} exited ${r.exitCode}`, line };
  }

  private async json<T>(args: readonly string[], netns?: string): Promise<T> {
    const r = await this.read('ip', ['-json', ...args], netns);
    if (!r.ok) throw new Error(`${r.line}: ${r.error}`);
    return (r.out.trim() ? JSON.parse(r.out) : []) as T;
  }

  links(netns?: string): Promise<LinkInfo[]> {
    return this.json(['-d', 'link', 'show'], netns);
  }

  addrs(netns?: string): Promise<AddrEntry[]> {
    return this.json(['-4', 'addr', 'show'], netns);
  }

  async nsids(): Promise<Map<number, string>> {
    const list = await this.json<Array<{ nsid: number; name?: string }>>(['netns', 'list-id']).catch(() => []);
    return new Map(list.filter((e) => e.name).map((e) => [e.nsid, e.name!]));
  }

  /** `ip route get`: the kernel's own route lookup; the error line (unreachable, …) when it has none. */
  async routeGet(args: readonly string[], netns?: string): Promise<{ route?: RouteAnswer; error?: string; line: string }> {
    const r = await this.read('ip', ['-json', 'route', 'get', ...args], netns);
    if (!r.ok) return { error: r.error.replace(/^RTNETLINK answers: /, ''), line: r.line };
    return { route: (JSON.parse(r.out) as RouteAnswer[])[0], line: r.line };
  }

  async neigh(addr: string, dev: string, netns?: string): Promise<{ entry?: NeighEntry; line: string }> {
    const r = await this.read('ip', ['-json', 'neigh', 'show', 'to', addr, 'dev', dev], netns);
    const list = r.ok && r.out.trim() ? (JSON.parse(r.out) as NeighEntry[]) : [];
    return { entry: list.find((e) => e.lladdr && !e.state?.includes('FAILED') && !e.state?.includes('INCOMPLETE')), line: r.line };
  }

  async fdb(br: string): Promise<{ entries: FdbEntry[]; line: string }> {
    const r = await this.read('bridge', ['-json', 'fdb', 'show', 'br', br]);
    return { entries: r.ok && r.out.trim() ? (JSON.parse(r.out) as FdbEntry[]) : [], line: r.line };
  }

  /** The whole ruleset (raw, mangle, nat, filter) as iptables-save prints it. */
  async iptablesSave(): Promise<string> {
    const r = await this.read('iptables-save', []);
    if (!r.ok) throw new Error(`${r.line}: ${r.error}`);
    return r.out;
  }
}
