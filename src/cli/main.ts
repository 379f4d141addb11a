#!/usr/bin/env node
// nslab: the command line. Parses arguments, runs the engine in-process or through nslabd, and
// reports an error as one line (or one JSON object under --json) with its kind's exit code.
import { Command, CommanderError } from 'commander';
import { errorJson, exitCodeOf, ValidationError } from '../errors.js';
import { containerCommands } from './container.js';
import { makeCli, type Cli, type GlobalOptions } from './context.js';
import { labCommands } from './lab.js';
import { maintenanceCommands } from './maintenance.js';
import { networkCommands } from './network.js';

const program = new Command('nslab')
  .description('Docker-style container networking from plain Linux parts: bridges, veth, netns, iptables')
  .option('--json', 'machine-readable output')
  .option('--dry-run', 'print the shell commands instead of running them; change nothing')
  .option('--state-dir <dir>', 'state directory', process.env.NSLAB_STATE_DIR ?? '/var/lib/nslab')
  .option('--socket <path>', "nslabd's socket", process.env.NSLAB_SOCKET ?? '/run/nslab/nslab.sock')
  .option('--log-level <level>', 'log level on stderr (info shows every kernel command)', process.env.NSLAB_LOG_LEVEL ?? 'warn')
  .option('--firewall-backend <name>', 'who writes the rules of networks created now: iptables (default) or none (you manage the firewall)', process.env.NSLAB_FIREWALL_BACKEND)
  .enablePositionalOptions()
  .exitOverride()
  // Under --json a usage error is printed once, as JSON, below: not also as commander's line.
  .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: (s, write) => void (jsonErrors() || write(s)) });

const jsonErrors = () => !!program.opts<GlobalOptions>().json;

/** Report a failure on stderr: `nslab: MESSAGE`, or under --json `{"error":{kind,message,exitCode,…}}` on one line. */
function report(e: unknown): void {
  process.stderr.write(jsonErrors() ? `${JSON.stringify({ error: errorJson(e) })}\n` : `nslab: ${(e as Error).message}\n`);
}

let cli: Promise<Cli> | undefined;
const getCli = () => (cli ??= makeCli(program.opts<GlobalOptions>()));
networkCommands(program, getCli);
containerCommands(program, getCli);
labCommands(program, getCli);
maintenanceCommands(program, getCli);
for (const c of program.commands) c.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version are not errors; everything else commander refuses is a usage error
    process.exitCode = e.exitCode === 0 ? 0 : 2;
    if (e.exitCode !== 0 && jsonErrors()) report(new ValidationError('arguments', e.message.replace(/^error: /, ''), { cause: e }));
  } else {
    report(e);
    process.exitCode = exitCodeOf(e);
  }
}
