// Commands and file operations as plain values: run, printed, logged and batched from one shape.

/** A process to run, as an argv array (never a shell string). */
export interface Command {
  readonly kind: 'cmd';
  readonly file: string;
  readonly args: readonly string[];
  /** For `ip` commands: the network namespace (`ip -n NS`); batching groups by it. */
  readonly netns?: string;
  /** Text fed to the process's standard input (`ip -batch -`, `iptables-restore`). */
  readonly stdin?: string;
  /** True when the command changes the host; reads are run even in dry-run. */
  readonly mutates: boolean;
  /** A delete for which "not found" means done (removing what is already gone succeeds). */
  readonly absentOk?: boolean;
}

/** A change to a file under /etc/netns or the state directory, done in-process. */
export type FileOp =
  | { readonly kind: 'mkdir'; readonly path: string }
  | { readonly kind: 'write'; readonly path: string; readonly content: string }
  | { readonly kind: 'rm'; readonly path: string };

export type Op = Command | FileOp;

/** An `ip` command; with `netns` it runs as `ip -n NETNS …`. */
export function ip(args: readonly string[], opts: { netns?: string; mutates?: boolean; absentOk?: boolean } = {}): Command {
  return { kind: 'cmd', file: 'ip', args, netns: opts.netns, mutates: opts.mutates ?? true, ...(opts.absentOk ? { absentOk: true } : {}) };
}

/** A read-only `ip -json` query. */
export function ipJson(args: readonly string[], netns?: string): Command {
  return { kind: 'cmd', file: 'ip', args: ['-json', ...args], netns, mutates: false };
}

/** The argv an op runs as (iptables always waits for the xtables lock). */
export function argvOf(cmd: Command): string[] {
  if (cmd.file === 'ip' && cmd.netns) return ['ip', '-n', cmd.netns, ...cmd.args];
  return [cmd.file, ...cmd.args];
}

/** Can this command join an `ip -batch` with others of the same namespace? */
export function batchKey(op: Op): string | undefined {
  if (op.kind !== 'cmd' || op.file !== 'ip' || op.stdin !== undefined || !op.mutates) return undefined;
  // A batch line is read as a command, never as options: `-6 addr flush` there is "Object "-6" is unknown".
  if (op.args[0]?.startsWith('-')) return undefined;
  return op.netns ?? '';
}

/** Join several `ip` commands of one namespace into one `ip [-n NS] -batch -` call. */
export function batchOf(cmds: readonly Command[]): Command {
  if (cmds.length === 1) return cmds[0]!;
  const netns = cmds[0]!.netns;
  return {
    kind: 'cmd',
    file: 'ip',
    args: ['-batch', '-'],
    netns,
    stdin: cmds.map((c) => c.args.join(' ') + '\n').join(''),
    mutates: true,
  };
}
