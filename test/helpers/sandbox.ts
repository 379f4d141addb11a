// A throw-away world for kernel tests: a fake "host" namespace running the CLI, wired to a
// "world" namespace (198.51.100.0/24, a documentation range) that stands in for the internet.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { answers } from '../../src/client/probe.js';
import { dropOwner, reclaim, startTime, writeOwner, type Owner } from './sandbox-owner.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'nslab.js');
export const DAEMON = join(ROOT, 'dist', 'nslabd.js');
export const HOST_IP = '198.51.100.1';
export const WORLD_IP = '198.51.100.2';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function sh(file: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<RunResult> {
  const r = await execa(file, args, { reject: false, env: { LC_ALL: 'C', ...opts.env }, input: opts.input });
  return { code: typeof r.exitCode === 'number' ? r.exitCode : 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

async function must(file: string, args: string[]): Promise<string> {
  const r = await sh(file, args);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

export class Sandbox {
  readonly host: string;
  readonly world: string;
  readonly stateDir: string;
  /** nslabd's socket for this sandbox (never the real /run/nslab/nslab.sock). */
  readonly socket: string;
  private servers: ChildProcess[] = [];
  daemon: ChildProcess | undefined;
  daemonLog = '';

  /** `tag` (≤ 4 chars) keeps names unique across test files running in parallel. */
  constructor(readonly tag: string) {
    this.host = `nslt-${tag}-h`;
    this.world = `nslt-${tag}-w`;
    this.stateDir = mkdtempSync(join(tmpdir(), `nslab-${tag}-`));
    this.socket = join(this.stateDir, 'nslabd.sock');
  }

  /** The lab id of this sandbox's state directory (once a change has made it), which every mark carries. */
  lab(): string {
    return readFileSync(join(this.stateDir, 'lab-id'), 'utf8').trim();
  }

  /** A container name unique to this sandbox. */
  name(n: string): string {
    return `${this.tag}${n}`;
  }

  /** What this sandbox made beyond nslab's records, kept where a later run finds it if this one is killed. */
  private owner: Owner = { pid: process.pid, start: startTime(process.pid) ?? '', stateDirs: [], mounts: [], netns: [], scratch: [] };

  /**
   * Record what the test makes by hand (a state directory of its own, a mount, a namespace), so
   * that a later run of the test file removes it should this one be killed before its teardown.
   */
  own(what: { stateDir?: string; mount?: string; netns?: string; scratch?: string }): void {
    if (what.stateDir) this.owner.stateDirs.push(what.stateDir);
    if (what.scratch) this.owner.scratch.push(what.scratch);
    if (what.mount) this.owner.mounts.push(what.mount);
    if (what.netns) this.owner.netns.push(what.netns);
    writeOwner(this.tag, this.owner);
  }

  async up(): Promise<this> {
    // A run of this test file killed before its teardown left its namespaces: remove them first.
    try {
      await reclaim(this.tag, this.host, this.world, CLI);
    } catch (e) {
      rmSync(this.stateDir, { recursive: true, force: true });
      throw e;
    }
    this.own({ stateDir: this.stateDir });
    await must('ip', ['netns', 'add', this.host]);
    await must('ip', ['netns', 'add', this.world]);
    const up = `${this.tag}up`, w = `${this.tag}w`;
    await must('ip', ['-n', this.host, 'link', 'add', up, 'type', 'veth', 'peer', 'name', w, 'netns', this.world]);
    for (const [ns, dev, addr] of [[this.host, up, HOST_IP], [this.world, w, WORLD_IP]] as const) {
      await must('ip', ['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
      await must('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      await must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    await must('ip', ['-n', this.host, 'route', 'add', 'default', 'via', WORLD_IP]);
    // A real host has its nat, filter and raw tables; listing them makes them exist here too,
    // so "as before" compares like with like.
    // (An empty iptables-restore does not create them with the nft backend; a chain does.)
    for (const table of ['filter', 'nat', 'raw']) {
      await must('ip', ['netns', 'exec', this.host, 'iptables', '-t', table, '-N', 'NSLT-INIT']);
      await must('ip', ['netns', 'exec', this.host, 'iptables', '-t', table, '-X', 'NSLT-INIT']);
    }
    return this;
  }

  /** Run the CLI inside the fake host, as `sudo nslab …` would run on a real one. */
  cli(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return sh('nsenter', [`--net=/run/netns/${this.host}`, 'node', CLI, '--state-dir', this.stateDir, '--socket', this.socket, ...args], { env });
  }

  /** Start nslabd inside the fake host on this sandbox's socket (with extra `args`, e.g. --dns); resolves once it answers. */
  async startDaemon(env: Record<string, string> = {}, args: string[] = []): Promise<ChildProcess> {
    const child = spawn('nsenter', [`--net=/run/netns/${this.host}`, 'node', DAEMON, '--socket', this.socket, '--state-dir', this.stateDir, '--log-level', 'info', ...args],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C', ...env } });
    this.daemonLog = '';
    child.stderr!.on('data', (d) => (this.daemonLog += d));
    this.daemon = child;
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`nslabd exited ${child.exitCode}: ${this.daemonLog}`);
      if ((await answers(this.socket)) && (await daemonStatus(this.socket)) === 'ready') return child;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nslabd did not answer on ${this.socket}: ${this.daemonLog}`);
  }

  /** Stop nslabd (SIGTERM, or SIGKILL for a crash) and wait until it is gone. */
  async stopDaemon(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const d = this.daemon;
    this.daemon = undefined;
    if (!d || d.exitCode !== null || d.signalCode !== null) return d?.exitCode ?? null;
    return new Promise((res) => {
      d.once('exit', (code) => res(code));
      // nsenter execs node, so this PID is nslabd itself.
      process.kill(d.pid!, signal);
    });
  }

  /** `ip -json …` inside a namespace (the fake host by default). */
  async ipJson<T = Array<Record<string, unknown>>>(args: string[], ns = this.host): Promise<T> {
    const out = await must('ip', ['-n', ns, '-json', ...args]);
    return JSON.parse(out || '[]') as T;
  }

  /** Run a command inside a namespace. */
  exec(ns: string, cmd: string[]): Promise<RunResult> {
    return sh('ip', ['netns', 'exec', ns, ...cmd]);
  }

  /** The fake host's ruleset without comments and counters. */
  async iptables(): Promise<string> {
    const out = await must('ip', ['netns', 'exec', this.host, 'iptables-save']);
    return out.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n');
  }

  /**
   * Everything a change could touch: links, addresses and routes of the fake host, its
   * ruleset and forwarding, and the namespaces and /etc/netns entries named with our tag.
   */
  async snapshot(): Promise<Record<string, unknown>> {
    // Stable identity of a link (timers and counters move on their own).
    const strip = (links: Array<Record<string, any>>) =>
      links.map((l) => ({ ifname: l.ifname, kind: l.linkinfo?.info_kind, master: l.master, mtu: l.mtu, address: l.address, alias: l.ifalias, up: l.flags?.includes('UP') }));
    const mine = (names: string[]) => names.filter((n) => n.startsWith(this.tag)).sort();
    return {
      links: strip(await this.ipJson(['-d', 'link', 'show'])),
      addrs: (await this.ipJson(['addr', 'show'])).map((a: any) => ({
        ifname: a.ifname, addrs: a.addr_info.map((i: any) => `${i.local}/${i.prefixlen}${i.broadcast ? ` brd ${i.broadcast}` : ''}`),
      })),
      // Route flags (linkdown) follow carrier, which the kernel updates lazily: compare the rest.
      routes: (await this.ipJson(['route', 'show'])).map(({ flags, ...r }: any) => r),
      iptables: await this.iptables(),
      forward: (await this.exec(this.host, ['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim(),
      netns: mine(existsSync('/run/netns') ? readdirSync('/run/netns') : []),
      etc: mine(existsSync('/etc/netns') ? readdirSync('/etc/netns') : []),
    };
  }

  /** A TCP server in the world namespace that answers with the address it sees the client as. */
  startWorldServer(port = 8080): Promise<void> {
    return this.startServer(this.world, WORLD_IP, port);
  }

  /**
   * The same server in any namespace of the test's (a container, say). Stop it (stopServers)
   * before removing that container: a live process keeps the namespace and its veth alive.
   */
  async startServer(ns: string, ip: string, port = 8080): Promise<void> {
    const code = `require('net').createServer(s=>{s.on('error',()=>{});s.end(s.remoteAddress+'\\n')}).listen(${port},'${ip}',()=>console.log('ready'))`;
    const child = spawn('ip', ['netns', 'exec', ns, 'node', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.servers.push(child);
    await new Promise<void>((res, rej) => {
      child.stdout!.once('data', () => res());
      child.once('exit', (c) => rej(new Error(`server in ${ns} exited ${c}`)));
    });
  }

  /** End the servers this sandbox started (by PID) and wait until they are gone. */
  async stopServers(): Promise<void> {
    const live = this.servers.filter((s) => s.exitCode === null && s.signalCode === null);
    this.servers = [];
    await Promise.all(live.map((s) => new Promise((res) => { s.once('exit', res); if (s.pid) process.kill(s.pid); })));
  }

  /** Connect from a container to the world server; resolves with the peer address it reported. */
  async tcpFrom(container: string, ip = WORLD_IP, port = 8080): Promise<RunResult> {
    return sh('ip', ['netns', 'exec', container, 'timeout', '10', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}; cat <&3`]);
  }

  ping(ns: string, ip: string): Promise<RunResult> {
    return sh('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '1', ip]);
  }

  /** Remove everything: nslab's objects (reset), the servers (by PID), the two namespaces. */
  async down(): Promise<void> {
    await this.stopServers();
    await this.stopDaemon();
    await this.cli(['reset']);
    for (const ns of [this.host, this.world]) await sh('ip', ['netns', 'del', ns]);
    rmSync(this.stateDir, { recursive: true, force: true });
    dropOwner(this.tag);
  }
}

/** What nslabd's ping says: 'starting' until its start-up reconcile is done, then 'ready'. */
export function daemonStatus(socket: string): Promise<string | undefined> {
  return new Promise((res) => {
    const req = request({ socketPath: socket, path: '/v1/ping' }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
        try {
          res((JSON.parse(body) as { result?: { status?: string } }).result?.status);
        } catch {
          res(undefined);
        }
      });
    });
    req.on('error', () => res(undefined)).end();
  });
}

export async function sandbox(tag: string): Promise<Sandbox> {
  return new Sandbox(tag).up();
}
