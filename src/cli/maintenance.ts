// `nslab check [FILE] [--repair]`, `nslab gc` and `nslab events`: drift, grading, leftovers and the change stream.
import type { Command } from 'commander';
import type { Cli, GlobalOptions } from './context.js';
import { json } from './context.js';
import { ValidationError } from '../errors.js';
import { eventLine } from '../model/events.js';

export function maintenanceCommands(program: Command, cli: () => Promise<Cli>): void {
  program.command('check [file]').description('compare the records with the live kernel and name every difference (exit 1 if any); with FILE, grade a lab built by hand against that lab file')
    .option('--repair', 'restore exactly the recorded state (what is missing or altered), then check again')
    .addHelpText('after', '\nExamples:\n  sudo nslab check --repair\n  sudo nslab check examples/docker0/lab.yaml')
    .action(async (file: string | undefined, o: { repair?: boolean }, cmd: Command) => {
      if (file !== undefined) {
        if (o.repair) throw new ValidationError('repair', 'check FILE only reads the kernel and changes nothing: --repair mends what nslab recorded (drop FILE or --repair)');
        const { gradeCommand } = await import('./grade.js');
        return gradeCommand(file, cmd.optsWithGlobals<GlobalOptions>(), (t) => process.stdout.write(t));
      }
      const c = await cli();
      const first = await c.engine.check(!!o.repair);
      if (c.opts.dryRun) return;
      const after = first.repaired ? await c.engine.check(false) : first;
      if (c.opts.json) {
        c.out(json({ drift: first.drift, repaired: first.repaired, remaining: after.drift, notes: first.notes ?? [] }));
      } else {
        c.out((first.notes ?? []).map((n) => `note: ${n}\n`).join(''));
        const verb = first.repaired ? 'repaired' : 'drift';
        c.out(first.drift.map((d) => `${verb}: ${d.owner}: ${d.what} [${d.kind}]\n`).join(''));
        if (!first.drift.length) c.out('check: the kernel matches the records\n');
        if (first.repaired) c.out(after.drift.length ? after.drift.map((d) => `still: ${d.owner}: ${d.what}\n`).join('') : 'check: repaired; the kernel matches the records again\n');
      }
      if (after.drift.length) process.exitCode = 1;
    });

  program.command('gc').description("remove leftovers that carry nslab's mark but no record explains; report look-alikes")
    .addHelpText('after', '\nExample:\n  sudo nslab --dry-run gc')
    .action(async () => {
      const c = await cli();
      const r = await c.engine.gc();
      if (c.opts.dryRun) return;
      if (c.opts.json) return c.out(json(r));
      c.out(r.removed.map((x) => `removed ${x}\n`).join('') + r.lookalikes.map((x) => `not touched: ${x}\n`).join(''));
      if (!r.removed.length && !r.lookalikes.length) c.out('gc: nothing to collect\n');
    });

  program.command('rebuild-state').description("rebuild the state file from the kernel objects that carry nslab's mark (after it was corrupted)")
    .addHelpText('after', '\nExample:\n  sudo nslab rebuild-state')
    .action(async () => {
      const c = await cli();
      const st = await c.engine.rebuildState();
      if (c.opts.dryRun) return;
      if (c.opts.json) return c.out(json(st));
      c.out(`rebuilt the record: ${Object.keys(st.networks).length} network(s) (${Object.keys(st.networks).join(', ')}), ${Object.keys(st.containers).length} container(s) (${Object.keys(st.containers).join(', ')})\n`);
    });

  program.command('events').description('stream what changes (networks, containers, connections, repairs) until interrupted; needs nslabd')
    .addHelpText('after', '\nExample:\n  nslab events --json')
    .action(async () => {
      const c = await cli();
      if (!c.remote) {
        throw new ValidationError('events', `nslabd must run to stream events, and nothing answers on ${c.opts.socket}: start it (sudo systemctl start nslabd)`);
      }
      await c.remote.events((e) => c.out(c.opts.json ? JSON.stringify(e) + '\n' : eventLine(e) + '\n'));
    });
}
