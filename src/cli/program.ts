// The nslab command tree and one run of it: global options anywhere, one error style, exit codes.
import { Command, CommanderError, Option } from 'commander';
import { errorJson, exitCodeOf, LabFileError, ValidationError } from '../errors.js';
import { nslabVersion } from '../version.js';
import { splitGlobals } from './argv.js';
import { completionCommand } from './completion.js';
import { doctorCommand } from './doctor.js';
import { containerCommands } from './container.js';
import { diagramCommand } from './diagram.js';
import { makeCli, type Cli, type GlobalOptions } from './context.js';
import { explainCommand } from './explain.js';
import { labCommands } from './lab.js';
import { maintenanceCommands } from './maintenance.js';
import { networkCommands } from './network.js';
import { traceCommand } from './trace.js';
import { versionCommand } from './version.js';

/** What a command needs of the host: root (in-process) unless it only reads or goes through nslabd. */
export interface Needs {
  root: boolean;
}

export type MakeCli = (opts: GlobalOptions, needs: Needs) => Promise<Cli>;

/** Commands that only read the records (or ask nslabd): no root needed in-process. */
const READS = new Set(['network ls', 'network inspect', 'container ls', 'container inspect', 'explain', 'events', 'version', 'completion']);

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `nslab network ls` → "network ls" (its own name and its parents', the program's left out). */
export function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names.join(' ');
}

/** An option of the program, listed under its own heading in `nslab help`. */
function global(flags: string, description: string, fallback?: string): Option {
  const o = new Option(flags, description).helpGroup('Global options (anywhere on the line):');
  return fallback === undefined ? o : o.default(fallback);
}

/**
 * The whole command tree, each command's action asking `make` for its engine on first use.
 * Commander prints help and version on `out`; its errors are returned, not printed (runCli
 * prints them in nslab's one style).
 */
export function buildProgram(make: MakeCli = makeCli, out: (s: string) => void = (s) => void process.stdout.write(s)): Command {
  const program = new Command('nslab')
    .description('Docker-style container networking from plain Linux parts: bridges, veth, netns, iptables')
    .usage('[global options] <command> [options]   (global options may also come after the command)')
    .addOption(global('--json', 'machine-readable output'))
    .addOption(global('--dry-run', 'print the shell commands instead of running them; change nothing'))
    .addOption(global('--state-dir <dir>', 'state directory', process.env.NSLAB_STATE_DIR ?? '/var/lib/nslab'))
    .addOption(global('--socket <path>', "nslabd's socket", process.env.NSLAB_SOCKET ?? '/run/nslab/nslab.sock'))
    .addOption(global('--log-level <level>', `log level on stderr (${LOG_LEVELS.join(', ')}; info shows every kernel command)`, process.env.NSLAB_LOG_LEVEL ?? 'warn'))
    .addOption(global('--firewall-backend <name>', 'who writes the rules of networks created now: iptables (default) or none (you manage the firewall)', process.env.NSLAB_FIREWALL_BACKEND))
    .version(`nslab version ${nslabVersion()}`, '-v, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help (every command has -h)')
    .enablePositionalOptions()
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({ writeOut: out, writeErr: (s) => process.stderr.write(s), outputError: () => undefined });
  program.addHelpText('after', '\nExamples:\n  sudo nslab network create lab --subnet 10.201.0.0/24\n  sudo nslab run --name c1 --network lab\n  nslab container ls --json\n  nslab help network create');

  let path = '';
  program.hook('preAction', (_, action) => void (path = commandPath(action)));
  let cli: Promise<Cli> | undefined;
  const getCli = () => (cli ??= (async () => {
    const opts = program.opts<GlobalOptions>();
    if (opts.logLevel !== undefined && !LOG_LEVELS.includes(opts.logLevel)) throw new ValidationError('log-level', `"${opts.logLevel}" is not a level (one of ${LOG_LEVELS.join(', ')})`);
    return make(opts, { root: !READS.has(path) });
  })());

  program.commandsGroup('Networks:');
  networkCommands(program, getCli);
  program.commandsGroup('Containers:');
  containerCommands(program, getCli);
  program.commandsGroup('Labs:');
  labCommands(program, getCli);
  explainCommand(program, getCli);
  diagramCommand(program, () => program.opts<GlobalOptions>());
  traceCommand(program, () => program.opts<GlobalOptions>());
  program.commandsGroup('Upkeep:');
  maintenanceCommands(program, getCli);
  doctorCommand(program, () => program.opts<GlobalOptions>());
  program.commandsGroup('About:');
  versionCommand(program, () => program.opts<GlobalOptions>());
  completionCommand(program);
  program.helpCommand('help [command...]', 'show help for a command (nslab help network create)');
  // Settings of a command are copied to the subcommands made after it: set them on every one.
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(program)) c.exitOverride().configureOutput(program.configureOutput());
  return program;
}

/** The options of the program, as `hoistGlobals` needs them. */
const globalsOf = (p: Command) => p.options.filter((o) => o.long && !['--version', '--help'].includes(o.long)).map((o) => ({ flag: o.long!, takesValue: o.required || o.optional }));

/** A refused lab file: each problem on a line of its own (`FILE:LINE: PATH: message`, as compilers write them), then what it means. */
function problemsText(e: LabFileError): string {
  const n = e.problems.length;
  const file = e.problems[0]?.file;
  return `${e.message}\nnslab: ${file ? `${file}: ` : ''}${n} problem${n === 1 ? '' : 's'}; nothing was changed\n`;
}

/**
 * Run one command line (`args`: what follows `nslab`), report a failure on stderr as
 * `nslab: WHAT: WHY` (or one JSON object under --json) and return the exit code: 0, 1, or 2
 * for usage errors and refused input.
 */
export async function runCli(args: readonly string[], make: MakeCli = makeCli, out?: (s: string) => void): Promise<number> {
  const program = buildProgram(make, out);
  const jsonErrors = () => !!program.opts<GlobalOptions>().json;
  const report = (e: unknown) =>
    process.stderr.write(jsonErrors() ? `${JSON.stringify({ error: errorJson(e) })}\n` : e instanceof LabFileError ? problemsText(e) : `nslab: ${(e as Error).message}\n`);
  try {
    const [globals, rest] = splitGlobals(args, globalsOf(program));
    // `help network create`: commander's help command looks one word deep; -h on the command goes all the way.
    const line = rest[0] === 'help' && rest.length > 2 ? [...globals, ...rest.slice(1), '--help'] : [...globals, ...rest];
    await program.parseAsync(line, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are not errors; everything else commander refuses is a usage error
      if (e.exitCode === 0) return 0;
      // A command that needs a subcommand, given none: its help (on stderr) says what to add.
      if (e.code === 'commander.help') return 2;
      report(new ValidationError('arguments', e.message.replace(/^error: /, ''), { cause: e }));
      return 2;
    }
    report(e);
    return exitCodeOf(e);
  }
}
