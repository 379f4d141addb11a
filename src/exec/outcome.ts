// The one result shape of a finished command, and the single place that classifies failures.
import { argvOf, type Command } from './command.js';
import { toShell } from './shell.js';

export interface Outcome {
  readonly argv: readonly string[];
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

/** What a failure means, so callers branch on a kind and never on message text. */
export type FailureKind = 'exists' | 'not-found' | 'failed';

const EXISTS = [/File exists/, /already exists/i, /Address already assigned/];
const NOT_FOUND = [
  /Cannot find device/,
  /No such file or directory/,
  /does not exist/,
  /No chain\/target\/match by that name/,
  /does a matching rule exist/,
  /No such process/,
  /Cannot assign requested address/,
  /Address not found/,
  /Invalid "netns" value/,
  // conntrack -D that matched no flow (exit 1): nothing was there to forget.
  /: 0 flow entries have been deleted/,
];

/** Classify a failed outcome by exit code and stderr (pinned by test/kernel/classify.test.ts). */
export function classify(outcome: Pick<Outcome, 'exitCode' | 'stderr'>): FailureKind {
  if (outcome.exitCode === 0) throw new Error('classify() called on a successful outcome');
  if (EXISTS.some((re) => re.test(outcome.stderr))) return 'exists';
  if (NOT_FOUND.some((re) => re.test(outcome.stderr))) return 'not-found';
  return 'failed';
}

/** A kernel command that failed: carries the command, its outcome and the failure kind. */
export class CommandError extends Error {
  readonly kind: FailureKind;
  constructor(readonly command: Command, readonly outcome: Outcome, what?: string) {
    const stderr = outcome.stderr.trim().split('\n').slice(-3).join(' / ') || `exit code ${outcome.exitCode}`;
    const where = command.netns ? ` in netns ${command.netns}` : '';
    const head = what ? `failed to ${what}${where}` : `command failed${where}`;
    super(`${head}: \`${argvOf(command).join(' ')}\`: ${stderr}`);
    this.name = 'CommandError';
    this.kind = classify(outcome);
  }
  /** The command as a pasteable shell line (for reproducing by hand). */
  get shell(): string {
    return toShell(this.command);
  }
}
