// `nslab up|down|plan FILE` and `nslab reset`.
import type { Command } from 'commander';
import type { Lab } from '../lab/labfile.js';
import type { PlanItem } from '../engine/plan-lab.js';
import { ipv4Subnet } from '../state/families.js';
import type { State } from '../state/types.js';
import { exitCodeOf, IncompleteError, kindOf } from '../errors.js';
import type { Cli } from './context.js';
import { json } from './context.js';
import { summary } from './container.js';
import { networkWhere } from '../model/views.js';

/** The lab-file reader (yaml and the schemas) is loaded only by the commands that read one. */
const readLab = async (file: string): Promise<Lab> => (await import('../lab/labfile.js')).readLab(file);

/** `plan --detailed-exitcode`: the exit code when `up` would change something (2 is taken by refused input). */
export const CHANGES_PENDING = 3;

/** A plan as terraform prints one: a line per object (+ add, ~ change, - remove), then a summary. */
export function planText(items: readonly PlanItem[], file: string): string {
  const lines = items.map((i) => `${i.action} ${i.kind} ${i.name}: ${i.what}${i.refused ? ` (up refuses: ${i.refused})` : ''}\n`);
  if (!items.length) return `No changes. The kernel matches ${file}.\n`;
  const n = (a: PlanItem['action']) => items.filter((i) => i.action === a).length;
  const refused = items.some((i) => i.refused) ? ' `up` would refuse as it stands: see "up refuses".' : '';
  return `${lines.join('')}\nPlan: ${n('+')} to add, ${n('~')} to change, ${n('-')} to remove.${refused}\n`;
}

export function labCommands(program: Command, cli: () => Promise<Cli>): void {
  program.command('up <file>').description('create the networks and containers of a lab file (- reads it from stdin)')
    .addHelpText('after', '\nExamples:\n  sudo nslab up examples/docker0/lab.yaml\n  cat lab.yaml | sudo nslab up -').action(async (file: string) => {
    const c = await cli();
    const lab = await readLab(file);
    const recs = await c.engine.up(lab.networks, lab.containers);
    if (c.opts.dryRun) return;
    const state = await c.engine.readState();
    if (c.opts.json) return c.out(json({ networks: lab.networks.map((n) => n.name), containers: recs.map((r) => r.name) }));
    for (const n of lab.networks) {
      const r = state.networks[n.name]!;
      c.out(`network ${r.name}: ${networkWhere(r)}, subnet ${ipv4Subnet(r).subnet}, gateway ${ipv4Subnet(r).gateway}\n`);
    }
    for (const r of recs) c.out(summary(r, state));
  });

  program.command('down <file>').description('remove the containers and networks of a lab file (- reads it from stdin)')
    .addHelpText('after', '\nExample:\n  sudo nslab down examples/docker0/lab.yaml').action(async (file: string) => {
    const c = await cli();
    const lab = await readLab(file);
    // Best effort, as netavark's teardown: a failure is reported and the rest still goes.
    const failures: string[] = [];
    const attempt = async (fn: () => Promise<string[]>): Promise<string[]> => {
      try {
        return await fn();
      } catch (e) {
        if (exitCodeOf(e) !== 1 && !failures.length) throw e; // refused before anything changed: exit 2
        // An incomplete removal (in-process or rebuilt from nslabd's answer) keeps its list.
        const listed = (e as { failures?: readonly string[] }).failures;
        failures.push(...(kindOf(e) === 'incomplete' && listed ? listed : (e as Error).message.split('\n')));
        return [];
      }
    };
    const gone = await attempt(() => c.engine.removeContainers(lab.containers.map((x) => x.name)));
    const nets: string[] = [];
    for (const n of lab.networks) nets.push(...(await attempt(() => c.engine.removeNetworks([n.name]))));
    if (!c.opts.dryRun) c.out(c.opts.json ? json({ containers: gone, networks: nets }) : [...gone, ...nets].map((n) => `removed ${n}\n`).join(''));
    if (failures.length) throw new IncompleteError(failures);
  });

  program.command('plan <file>').description('show what `up` would add (+), change (~) or remove (-) against the live kernel, drift made by hand included; - reads stdin')
    .option('--detailed-exitcode', `exit ${CHANGES_PENDING} when \`up\` would change something (default: 0, as terraform)`)
    .addHelpText('after', `
Exit codes: 0 nothing would change (or, without --detailed-exitcode, changes are pending);
  2 the lab file is wrong (each problem on a line: FILE:LINE: PATH: message), or the request refused;
  ${CHANGES_PENDING} with --detailed-exitcode: \`up\` would change something. Plan changes nothing.

Example:
  sudo nslab plan --detailed-exitcode examples/docker0/lab.yaml`).action(async (file: string, o: { detailedExitcode?: boolean }) => {
    const lab = await readLab(file);
    const c = await cli();
    const items = await c.engine.plan(lab.networks, lab.containers);
    if (c.opts.json) {
      const n = (a: PlanItem['action']) => items.filter((i) => i.action === a).length;
      c.out(json({ changes: items, add: n('+'), change: n('~'), remove: n('-'), refused: items.some((i) => i.refused) }));
    } else c.out(planText(items, file === '-' ? '<stdin>' : file));
    if (items.length && o.detailedExitcode) process.exitCode = CHANGES_PENDING;
  });

  program.command('reset').description('remove everything nslab owns (namespaces, veths, bridges, rules, /etc/netns entries)')
    .addHelpText('after', '\nExample:\n  sudo nslab --dry-run reset').action(async () => {
    const c = await cli();
    await c.engine.reset();
    if (!c.opts.dryRun && !c.opts.json) c.out('reset: nothing of nslab is left\n');
  });
}
