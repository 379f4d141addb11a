// `nslab explain [NAME…] [--teardown]`: the commands that build (or remove) the lab, as a script to rerun by hand.
import type { Command } from 'commander';
import type { Cli } from './context.js';
import { json } from './context.js';

export function explainCommand(program: Command, cli: () => Promise<Cli>): void {
  program.command('explain [names...]').description('print a bash script that builds the recorded networks and containers by hand (default: all)')
    .option('--teardown', 'print the script that removes them instead (safe to run twice)')
    .addHelpText('after', '\nExamples:\n  nslab explain > lab.sh\n  nslab explain web          # web, and the networks it is on\n  nslab explain --teardown > undo.sh')
    .action(async (names: string[], o: { teardown?: boolean }) => {
      const c = await cli();
      // The planner (drivers, firewall rules) is loaded only by this command, not at every start.
      const [{ explainPlan }, { explainJson, explainScript }, { firewallBackends }, { hostResolvers }, { labIdOf, useLab }] = await Promise.all([
        import('../engine/explain/plan.js'), import('../engine/explain/script.js'), import('../firewall/registry.js'),
        import('../kernel/netns-files.js'), import('../state/lab-id.js'),
      ]);
      // Only the records are read (through nslabd when it runs); the plan is made here.
      const state = await c.engine.readState();
      // The marks in the script name the lab of the records, wherever they were read.
      useLab(() => state.labId ?? labIdOf(c.opts.stateDir, false));
      const x = await explainPlan({ firewalls: firewallBackends(), hostResolvers: () => hostResolvers() }, state, names);
      c.out(c.opts.json ? json(explainJson(x, !!o.teardown)) : explainScript(x, !!o.teardown));
    });
}
