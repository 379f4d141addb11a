// A recording runner for unit tests: answers reads from fixtures, records every change.
import type { Command, FileOp } from '../../src/exec/command.js';
import type { Outcome } from '../../src/exec/outcome.js';
import type { Runner } from '../../src/exec/runner.js';
import { argvOf } from '../../src/exec/command.js';

export class FakeRunner implements Runner {
  readonly ran: Array<Command | FileOp> = [];
  /** Answers by argv prefix (joined with spaces); unmatched reads answer "[]". */
  constructor(
    private readonly answers: Record<string, Partial<Outcome>> = {},
    private readonly failOn?: (cmd: Command) => Partial<Outcome> | undefined,
  ) {}

  async run(cmd: Command): Promise<Outcome> {
    const argv = argvOf(cmd);
    const line = argv.join(' ');
    if (cmd.mutates) this.ran.push(cmd);
    const fail = this.failOn?.(cmd);
    if (fail) return { argv, exitCode: 1, stdout: '', stderr: '', durationMs: 0, ...fail };
    const key = Object.keys(this.answers).find((k) => line.startsWith(k));
    const a = key ? this.answers[key] : undefined;
    return { argv, exitCode: 0, stdout: cmd.mutates ? '' : '[]', stderr: '', durationMs: 0, ...a };
  }

  async file(op: FileOp): Promise<void> {
    this.ran.push(op);
  }

  /** What ran, one line per op. */
  lines(): string[] {
    return this.ran.map((o) => (o.kind === 'cmd' ? argvOf(o).join(' ') + (o.stdin ? ` <<${o.stdin.trim().split('\n').join(' | ')}` : '') : `${o.kind} ${o.path}`));
  }
}
