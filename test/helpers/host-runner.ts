// The recording runner over a FakeHost: records what FakeRunner records, and changes the host model as the commands would.
import type { Command, FileOp } from '../../src/exec/command.js';
import type { Outcome } from '../../src/exec/outcome.js';
import type { FakeFirewall } from './fake-firewall.js';
import type { FakeHost } from './fake-host.js';
import { FakeRunner } from './fake-runner.js';

/** A refusal as `ip` words it: the runner answers it as ip's stderr, with exit code 1. */
export class IpError extends Error {}

const ok = (argv: string[], stdout = ''): Outcome => ({ argv, exitCode: 0, stdout, stderr: '', durationMs: 0 });
const failed = (argv: string[], stderr: string): Outcome => ({ argv, exitCode: 1, stdout: '', stderr, durationMs: 0 });

/** Records every change (as FakeRunner), answers `ip -json` reads from the host model and applies each change to it. */
export class HostRunner extends FakeRunner {
  constructor(private readonly h: FakeHost, failOn?: (cmd: Command) => Partial<Outcome> | undefined, private readonly fw?: FakeFirewall) {
    super({}, failOn);
  }

  override async run(cmd: Command): Promise<Outcome> {
    const out = await super.run(cmd);
    if (out.exitCode !== 0) return out;
    const argv = [...out.argv];
    try {
      if (cmd.file === 'ip' && !cmd.mutates) return ok(argv, this.h.read(cmd.args, cmd.netns));
      if (cmd.file === 'ip' && cmd.stdin !== undefined) {
        const lines = cmd.stdin.trim().split('\n');
        for (const [i, line] of lines.entries()) {
          // As ip does: a batch line is a command; options (-6, -json) are not read there.
          if (line.startsWith('-')) return failed(argv, `Object "${line.split(' ')[0]}" is unknown, try "ip help".\nCommand failed -:${i + 1}\n`);
          try {
            this.h.ip(line, cmd.netns);
          } catch (e) {
            return failed(argv, `${(e as Error).message}\nCommand failed -:${i + 1}\n`);
          }
        }
        return ok(argv);
      }
      if (cmd.file === 'ip') this.h.ip(cmd.args, cmd.netns);
      else if (cmd.file === 'nsenter') return ok(argv, this.sysctlsIn(cmd.args));
      else if (cmd.file === 'sysctl') this.h.setSysctl(cmd.args[1]!.split('=')[0]!, cmd.args[1]!.split('=')[1]!);
      else if (cmd.file === 'modprobe') {
        if (this.h.sysctl('net.bridge.bridge-nf-call-iptables') === undefined) this.h.setSysctl('net.bridge.bridge-nf-call-iptables', '0');
      } else if (cmd.file === 'mount') this.h.bind(cmd.args[1]!.split('/').pop()!, cmd.args[2]!.split('/').pop()!);
      else if (cmd.file === 'fakefw') this.firewall(cmd.args);
      else if (cmd.file === 'conntrack' && this.h.conntrack) {
        // No flow is ever tracked here: a delete finds nothing, as conntrack says it.
        if (cmd.args[0] === '-D') return failed(argv, 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n');
      }
      else return failed(argv, `fake host: unknown command ${argv.join(' ')}`);
      return ok(argv);
    } catch (e) {
      if (e instanceof IpError) return failed(argv, e.message);
      throw e;
    }
  }

  override async file(op: FileOp): Promise<void> {
    await super.file(op);
    this.h.file(op);
  }

  /** `nsenter --net=/run/netns/NS sysctl -e KEYS…`: the keys set in NS, as `sysctl` prints them. */
  private sysctlsIn(args: readonly string[]): string {
    const sp = this.h.space(args[0]!.split('/').pop()!);
    return args.slice(3).filter((k) => sp.sysctls.has(k)).map((k) => `${k} = ${sp.sysctls.get(k)}\n`).join('');
  }

  /** The FakeFirewall's commands, applied to its networks (source-check then traffic, as it plans them). */
  private firewall(args: readonly string[]): void {
    const fw = this.fw;
    if (!fw) return;
    const [verb, part, name] = args;
    if (part === 'ports') {
      if (verb === 'del') fw.ports.delete(name!);
      else {
        const maps = args.slice(4).map((s) => /^(.+):(\d+)->(.+):(\d+)\/(tcp|udp)$/.exec(s)!);
        const ports = maps.map((m) => ({ protocol: m[5] as 'tcp' | 'udp', ...(m[1] === '0.0.0.0' ? {} : { hostIp: m[1] }), hostPort: Number(m[2]), containerPort: Number(m[4]) }));
        fw.ports.set(name!, { network: args[3]!, container: name!, ip: maps[0]?.[3] ?? '', ports });
      }
      return;
    }
    if (verb === 'del') {
      if (part === 'network') fw.networks.delete(name!);
      if (part === 'shared') fw.shared = false;
      return;
    }
    const have = fw.networks.get(name!) ?? { name: name!, iface: '', subnet: '', masquerade: false, icc: false, internal: false };
    if (part === 'source-check') fw.networks.set(name!, { ...have, iface: args[3]!, subnet: args[4]! });
    if (part === 'traffic') fw.networks.set(name!, { ...have, masquerade: args[3] === 'masquerade', icc: args[4] === 'icc', internal: args[5] === 'internal' });
  }
}
