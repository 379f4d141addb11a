// A fake host for the engine's unit tests: a model of links, addresses, routes and namespaces that the
// engine's `ip` commands change and its `ip -json` reads see, with /run/netns, /etc/netns and /proc/sys in a temp dir.
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command, FileOp } from '../../src/exec/command.js';
import type { Outcome } from '../../src/exec/outcome.js';
import type { LinkInfo } from '../../src/kernel/link.js';
import type { RouteInfo } from '../../src/kernel/route.js';
import type { FakeFirewall } from './fake-firewall.js';
import { fakeProcNetDev, hostPath, redirectHostFiles, scratchDir } from './host-files.js';
import { HostRunner, IpError } from './host-runner.js';

interface Addr { ifname: string; family: 'inet' | 'inet6'; local: string; prefixlen: number; broadcast?: string }

/** One network namespace: what `ip -n NS -json …` reads there. */
export interface Space { links: LinkInfo[]; addrs: Addr[]; routes: RouteInfo[]; sysctls: Map<string, string> }

const newSpace = (): Space => ({ links: [{ ifname: 'lo', ifindex: 1, mtu: 65536, flags: ['LOOPBACK'] }], addrs: [], routes: [], sysctls: new Map() });

/** Words after `key` in `args` (`ip link add X mtu 1500 …`: after('mtu') is '1500'). */
const after = (args: readonly string[], key: string, from = 0) => {
  const i = args.indexOf(key, from);
  return i < 0 ? undefined : args[i + 1];
};

/**
 * The kernel as `ip` shows it. Each named namespace is a file under the fake /run/netns (so
 * the engine's listNetns sees it) and a Space here; several names may share one Space (mount
 * --bind), and `netns attach` names the host's own. The FakeFirewall's networks follow the
 * `fakefw` commands it planned, so a check after a create sees the rules in place.
 */
export class FakeHost {
  readonly root = mkdtempSync(join(scratchDir(), 'host-'));
  readonly host: Space = newSpace();
  readonly spaces = new Map<string, Space>();
  /** The other end of each veth, both ways. */
  private readonly peers = new Map<LinkInfo, { space: Space; link: LinkInfo }>();
  private nextIndex = 2;
  readonly runner: HostRunner;
  /** Make an `ip` line fail: return its stderr (a batch then fails at that line, as ip does). */
  failIp?: (line: string, ns?: string) => string | undefined;

  /** The conntrack tool is installed (off: it is unknown, as on a fresh machine). */
  readonly conntrack: boolean;

  constructor(o: { ipForward?: string; resolv?: string; failOn?: (cmd: Command) => Partial<Outcome> | undefined; firewall?: FakeFirewall; conntrack?: boolean } = {}) {
    this.conntrack = o.conntrack ?? false;
    redirectHostFiles(this.root);
    fakeProcNetDev(() => `Inter-|   Receive\n face |bytes\n${this.host.links.map((l) => `${l.ifname.padStart(6)}: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`).join('')}`);
    for (const d of ['/run/netns', '/etc/netns', '/proc/sys/net/ipv4']) mkdirSync(hostPath(d), { recursive: true });
    writeFileSync(hostPath('/proc/sys/net/ipv4/ip_forward'), `${o.ipForward ?? '0'}\n`);
    writeFileSync(hostPath('/etc/resolv.conf'), o.resolv ?? 'nameserver 192.0.2.53\nsearch example.test\n');
    this.host.links[0]!.flags = ['LOOPBACK', 'UP'];
    this.runner = new HostRunner(this, o.failOn, o.firewall);
  }

  /** The Space named `ns` (undefined: the host's). */
  space(ns?: string): Space {
    if (ns === undefined) return this.host;
    const s = this.spaces.get(ns);
    if (!s) throw new IpError(`Cannot open network namespace "${ns}": No such file or directory`);
    return s;
  }

  link(name: string, ns?: string): LinkInfo | undefined {
    return this.space(ns).links.find((l) => l.ifname === name);
  }

  /** The host's sysctl `key` as the engine reads it (undefined: absent). */
  sysctl(key: string): string | undefined {
    try {
      return readFileSync(this.sysctlPath(key), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  private sysctlPath(key: string): string {
    return hostPath(`/proc/sys/${key.includes('/') ? key : key.replace(/\./g, '/')}`);
  }

  setSysctl(key: string, value: string): void {
    mkdirSync(dirname(this.sysctlPath(key)), { recursive: true });
    writeFileSync(this.sysctlPath(key), value + '\n');
  }

  /** Change the model as `ip [-n ns] ARGS` would; a test uses it to make drift (`ip('link del nv-x-0')`). */
  ip(line: string | readonly string[], ns?: string): void {
    const args = typeof line === 'string' ? line.split(/\s+/).filter(Boolean) : line;
    const refused = this.failIp?.(args.join(' '), ns);
    if (refused) throw new IpError(refused);
    const sp = this.space(ns);
    const name = args[2]!;
    const find = (n: string) => {
      const l = sp.links.find((x) => x.ifname === n);
      if (!l) throw new IpError(`Cannot find device "${n}"`);
      return l;
    };
    switch (`${args[0]} ${args[1]}`) {
      case 'netns add': return this.addNetns(name);
      case 'netns del': return this.delNetns(name);
      case 'netns attach': return this.nameSpace(name, this.host, () => symlinkSync('/proc/self/ns/net', hostPath(`/run/netns/${name}`)));
      case 'netns exec':
        for (const kv of args.slice(5)) this.space(name).sysctls.set(kv.split('=')[0]!, kv.split('=')[1]!);
        return;
      case 'link add': {
        if (sp.links.some((l) => l.ifname === name)) throw new IpError('RTNETLINK answers: File exists');
        const type = after(args, 'type');
        const link: LinkInfo = { ifname: name, ifindex: this.nextIndex++, mtu: Number(after(args, 'mtu') ?? 1500), flags: args.includes('up') ? ['UP'] : [], linkinfo: { info_kind: type } };
        const master = after(args, 'master');
        if (master) link.master = find(master).ifname;
        if (type === 'bridge') link.address = after(args, 'address');
        if (type === 'veth') {
          const t = args.indexOf('type');
          const peerNs = after(args, 'netns', t);
          const psp = peerNs === undefined ? sp : this.space(peerNs);
          const peer: LinkInfo = { ifname: after(args, 'name', t)!, ifindex: this.nextIndex++, mtu: Number(after(args, 'mtu', t) ?? link.mtu), flags: [], address: after(args, 'address', t), linkinfo: { info_kind: 'veth' } };
          if (psp.links.some((l) => l.ifname === peer.ifname)) throw new IpError('RTNETLINK answers: File exists');
          psp.links.push(peer);
          this.peers.set(link, { space: psp, link: peer }).set(peer, { space: sp, link });
        }
        sp.links.push(link);
        return;
      }
      case 'link set': {
        const l = find(name);
        const rest = args.slice(3);
        if (rest[0] === 'alias') l.ifalias = rest[1];
        else if (rest[0] === 'addrgenmode') l.inet6_addr_gen_mode = rest[1];
        else if (rest[0] === 'master') l.master = find(rest[1]!).ifname;
        else if (rest[0] === 'nomaster') delete l.master;
        else if (rest[0] === 'type' && rest[1] === 'bridge_slave' && rest[2] === 'hairpin') l.linkinfo = { ...l.linkinfo, info_slave_data: { hairpin: rest[3] === 'on' } };
        if (rest.includes('up')) l.flags = [...new Set([...l.flags, 'UP'])];
        if (rest.includes('down')) l.flags = l.flags.filter((f) => f !== 'UP');
        return;
      }
      case 'link del': return this.dropLink(sp, find(name));
      case 'addr add':
      case 'addr del': {
        const [local, prefix] = name.split('/');
        const dev = find(after(args, 'dev')!).ifname;
        const same = (a: Addr) => a.ifname === dev && a.local === local && a.prefixlen === Number(prefix);
        if (args[1] === 'del') {
          if (!sp.addrs.some(same)) throw new IpError('RTNETLINK answers: Cannot assign requested address');
          sp.addrs = sp.addrs.filter((a) => !same(a));
        } else {
          if (sp.addrs.some(same)) throw new IpError('RTNETLINK answers: File exists');
          sp.addrs.push({ ifname: dev, family: local!.includes(':') ? 'inet6' : 'inet', local: local!, prefixlen: Number(prefix), broadcast: after(args, 'brd') });
        }
        return;
      }
      case 'route add': {
        const r: RouteInfo = { dst: name, gateway: after(args, 'via'), dev: find(after(args, 'dev')!).ifname };
        if (sp.routes.some((x) => x.dst === r.dst)) throw new IpError('RTNETLINK answers: File exists');
        sp.routes.push(r);
        return;
      }
      case 'route replace': {
        const r: RouteInfo = { dst: name, gateway: after(args, 'via'), dev: find(after(args, 'dev')!).ifname };
        sp.routes = [...sp.routes.filter((x) => x.dst !== r.dst), r];
        return;
      }
      case 'route del':
        sp.routes = sp.routes.filter((r) => r.dst !== name);
        return;
      case '-6 addr':
        if (args[2] === 'flush') sp.addrs = sp.addrs.filter((a) => !(a.family === 'inet6' && a.ifname === after(args, 'dev')));
        return;
    }
    throw new IpError(`fake host: unknown ip command: ${args.join(' ')}`);
  }

  private nameSpace(name: string, space: Space, makeFile: () => void): void {
    if (this.spaces.has(name)) throw new IpError(`Cannot create namespace file "/run/netns/${name}": File exists`);
    rmSync(hostPath(`/run/netns/${name}`), { force: true });
    makeFile();
    this.spaces.set(name, space);
  }

  addNetns(name: string): void {
    const space = newSpace();
    this.nameSpace(name, space, () => writeFileSync(hostPath(`/run/netns/${name}`), ''));
  }

  /** `mount --bind /run/netns/A /run/netns/B`: B names A's namespace (the same inode). */
  bind(from: string, to: string): void {
    const space = this.space(from);
    this.nameSpace(to, space, () => linkSync(hostPath(`/run/netns/${from}`), hostPath(`/run/netns/${to}`)));
  }

  /** A namespace goes with its last name (never the host's), and its veths' host ends with it. */
  delNetns(name: string): void {
    const space = this.space(name);
    this.spaces.delete(name);
    rmSync(hostPath(`/run/netns/${name}`), { force: true });
    if (space === this.host || [...this.spaces.values()].includes(space)) return;
    for (const l of [...space.links]) this.dropLink(space, l);
  }

  private dropLink(space: Space, l: LinkInfo): void {
    space.links = space.links.filter((x) => x !== l);
    space.addrs = space.addrs.filter((a) => a.ifname !== l.ifname);
    space.routes = space.routes.filter((r) => r.dev !== l.ifname);
    for (const port of space.links.filter((x) => x.master === l.ifname)) delete port.master; // a deleted bridge frees its ports
    const p = this.peers.get(l);
    if (p) {
      this.peers.delete(l);
      this.peers.delete(p.link);
      this.dropLink(p.space, p.link);
    }
  }

  /** A file op of the engine, carried out inside the fake root (only /etc/netns and /run/netns). */
  file(op: FileOp): void {
    const path = hostPath(op.path);
    if (path === op.path) throw new Error(`fake host: the engine touched ${op.path}, outside the fake host`);
    if (op.kind === 'mkdir') mkdirSync(path, { recursive: true });
    else if (op.kind === 'write') writeFileSync(path, op.content);
    else rmSync(path, { recursive: true, force: true });
  }

  /** What `ip [-n ns] -json ARGS` prints. */
  read(args: readonly string[], ns?: string): string {
    const sp = this.space(ns);
    const what = args.filter((a) => a !== '-json' && a !== '-d').join(' ');
    if (what === 'link show') return JSON.stringify(sp.links);
    if (what === 'addr show') {
      return JSON.stringify(sp.links.map((l) => ({ ifname: l.ifname, addr_info: sp.addrs.filter((a) => a.ifname === l.ifname).map(({ ifname: _, ...a }) => a) })));
    }
    if (what === 'route show') return JSON.stringify(sp.routes);
    throw new IpError(`fake host: unknown read: ip ${args.join(' ')}`);
  }

  /** Write what `/etc/netns/NAME/FILE` holds (a test making an altered or foreign entry). */
  writeEtc(name: string, file: 'resolv.conf' | 'hosts', content: string): void {
    mkdirSync(hostPath(`/etc/netns/${name}`), { recursive: true });
    writeFileSync(hostPath(`/etc/netns/${name}/${file}`), content);
  }

  readEtc(name: string, file: 'resolv.conf' | 'hosts'): string | undefined {
    try {
      return readFileSync(hostPath(`/etc/netns/${name}/${file}`), 'utf8');
    } catch {
      return undefined;
    }
  }
}
