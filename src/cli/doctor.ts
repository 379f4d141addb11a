// `nslab doctor`: check the host before a lab starts; each finding with its one-line fix.
import type { Command } from 'commander';
import type { GlobalOptions } from './context.js';
import { json } from './context.js';

/** Does nslabd run? A connect first (no socket file: no daemon), then its ping: only an answer tells. */
async function daemonAnswers(socket: string): Promise<boolean> {
  const { answers } = await import('../client/probe.js');
  if (!(await answers(socket))) return false;
  const { RemoteEngine } = await import('../client/remote.js');
  return new RemoteEngine(socket, () => undefined).ping().then(() => true, () => false);
}

export function doctorCommand(program: Command, opts: () => GlobalOptions): void {
  program.command('doctor').description('check the host: tools, kernel features, forwarding, firewalls, resolvers, overlapping routes, nslabd')
    .addHelpText('after', '\nExit status: 0 when nothing blocks nslab, 1 otherwise.\n\nExamples:\n  sudo nslab doctor\n  sudo nslab doctor --json | jq \'.findings[] | select(.level != "ok")\'')
    .action(async () => {
      const o = opts();
      const [{ doctor }, { hostFacts }, { renderFindings, doctorExit }, { ExecaRunner }] = await Promise.all([
        import('../doctor/doctor.js'), import('../doctor/facts.js'), import('../doctor/finding.js'), import('../exec/runner.js'),
      ]);
      const findings = await doctor(hostFacts(new ExecaRunner(undefined, { launcher: false }), daemonAnswers), { socket: o.socket, root: process.getuid?.() === 0 });
      const code = doctorExit(findings);
      process.stdout.write(o.json ? json({ ok: code === 0, findings }) : renderFindings(findings));
      process.exitCode = code;
    });
}
