// `nslab trace SRC DST[:PORT][/PROTO] [--probe]`: the path one packet takes, read from the kernel; with --probe, one real packet traced by it.
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { GlobalOptions } from './context.js';
import { json } from './context.js';

export function traceCommand(program: Command, opts: () => GlobalOptions): void {
  program.command('trace <src> <dst>').description('the path a packet takes from SRC (a container, or world) to DST[:PORT][/tcp|udp|icmp]: routes, veth, bridge, each iptables rule')
    .option('--probe', 'send ONE real packet from SRC and show the rules the kernel traced for it (adds a TRACE rule for that packet, then removes it)')
    .addHelpText('after', [
      '',
      'DST is a container, an IPv4 address, or world (an address beyond the host\'s default route).',
      'The protocol is icmp (ping) unless a port is given (then tcp). SRC world traces a packet',
      'arriving on the host\'s uplink, e.g. to a published port: nslab trace world HOSTIP:8080.',
      'Read-only without --probe. Exit 0 when the trace was made (whatever its verdict), 2 for bad input.',
      '',
      'Examples:',
      '  sudo nslab trace web db:5432',
      '  sudo nslab trace web world',
      '  sudo nslab trace world 192.168.121.10:8080/tcp',
      '  sudo nslab trace web 192.168.121.1 --probe',
    ].join('\n'))
    .action(async (src: string, dst: string, o: { probe?: boolean }) => {
      const g = opts();
      const [{ parseTrace }, { trace }, { renderTrace }, { ExecaRunner }] = await Promise.all([
        import('../trace/parse-target.js'), import('../trace/trace.js'), import('../trace/render.js'), import('../exec/runner.js'),
      ]);
      const req = parseTrace(src, dst);
      if (o.probe && req.src.kind === 'world') throw new ValidationError('src', 'a probe is sent from a container: nslab cannot send from the world (trace without --probe, or send the packet yourself)');
      if (o.probe && req.dst.kind === 'world') throw new ValidationError('dst', 'a probe needs a real address: give the world address to probe instead of world');
      if (process.getuid?.() !== 0) throw new ValidationError('permission', 'trace reads inside the namespaces and the ruleset: run it with sudo');
      const runner = new ExecaRunner(undefined, { launcher: false });
      const result = await trace(runner, req);
      let probe;
      if (o.probe) {
        const { runProbe } = await import('../trace/probe.js');
        probe = await runProbe(runner, req, result, { dryRun: !!g.dryRun });
      }
      const full = probe ? { ...result, probe } : result;
      process.stdout.write(g.json ? json(full) : renderTrace(full));
    });
}
