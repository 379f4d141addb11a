// The error kinds nslab raises; the CLI maps each kind to an exit code.

/** Longest quoted value or field an error line echoes: a 10 MB value must not become a 10 MB line. */
export const ECHO_MAX = 40;

/** `s` cut to `max` characters with "…" when longer. */
export function clip(s: string, max = ECHO_MAX): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

// A quoted value opens after a space or "(" and closes before a space, punctuation or the end, so
// the text between two short values ("_", "." and "-") is never taken for one.
const QUOTED = new RegExp(`(^|[\\s(])"([^"\\n]{${ECHO_MAX + 1},}?)"(?=$|[\\s),.;:])`, 'g');

/** Refused before anything changed (exit 2). `field` names the offending input. */
export class ValidationError extends Error {
  readonly exitCode = 2;
  constructor(readonly field: string, message: string) {
    // Messages quote the value they refuse ("…"): clip those here, once for every check, and
    // the line as a whole in case a value hides a quote or a newline.
    const quoted = message.replace(QUOTED, (_, pre: string, v: string) => `${pre}"${clip(v)}"`);
    super(`${clip(field, 3 * ECHO_MAX)}: ${clip(quoted.replace(/\n/g, ' '), 10 * ECHO_MAX)}`);
    this.name = 'ValidationError';
  }
}

/** The request conflicts with what exists, or names something missing (exit 2). */
export class ConflictError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Something failed while changing the host; what was half-done has been undone (exit 1). */
export class ApplyError extends Error {
  readonly exitCode = 1;
  constructor(message: string, readonly revertErrors: readonly Error[] = []) {
    super(message);
    this.name = 'ApplyError';
  }
}

/**
 * A removal went on past failing steps (exit 1): each failure is listed, what they left is
 * still recorded, and running the same removal again finishes it. Nothing was undone.
 */
export class IncompleteError extends Error {
  readonly exitCode = 1;
  constructor(readonly failures: readonly string[], done: readonly string[] = []) {
    const head = `${failures.length} removal step(s) failed and the rest went on${done.length ? ` (removed ${done.join(', ')})` : ''}; what is left is still recorded, run it again to finish:`;
    super([head, ...failures.map((f) => `  ${f}`)].join('\n'));
    this.name = 'IncompleteError';
  }
}

/** Exit code for any thrown value. */
export function exitCodeOf(err: unknown): number {
  const code = (err as { exitCode?: unknown })?.exitCode;
  return typeof code === 'number' ? code : 1;
}
