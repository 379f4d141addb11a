// The error kinds nslab raises, in one table: each kind's exit code (the CLI) and HTTP status (nslabd).

/**
 * Every kind of error, with the exit code `nslab` ends with and the status nslabd answers with.
 * Exit 2: refused before anything changed (the host is as it was). Exit 1: something failed
 * while changing the host, or nslab could not go on. Scripts read the kind under `--json`.
 */
export const ERROR_KINDS = {
  /** A bad value: an argument, a lab file, a request body. */
  invalid: { exitCode: 2, status: 400 },
  /** A name that does not exist: a network, a container, an nslabd endpoint. */
  'not-found': { exitCode: 2, status: 404 },
  /** The request conflicts with what exists: other settings, attached containers, a foreign interface. */
  conflict: { exitCode: 2, status: 409 },
  /** No free address is left in the range of a network. */
  exhausted: { exitCode: 2, status: 409 },
  /** A request body past nslabd's limit. */
  'too-large': { exitCode: 2, status: 413 },
  /** A failure while changing the host; what was half-done has been undone. Any error of no other kind. */
  failed: { exitCode: 1, status: 500 },
  /** A removal went on past failing steps; what is left is still recorded. */
  incomplete: { exitCode: 1, status: 500 },
  /** The state file is unreadable; nothing changes until `rebuild-state` or `reset`. */
  'corrupt-state': { exitCode: 1, status: 500 },
  /** nslabd did not answer, or not in its protocol (the client's own: nslabd never sends it). */
  unreachable: { exitCode: 1, status: 502 },
} as const satisfies Record<string, { exitCode: number; status: number }>;

export type ErrorKind = keyof typeof ERROR_KINDS;

export const isErrorKind = (k: unknown): k is ErrorKind => typeof k === 'string' && Object.hasOwn(ERROR_KINDS, k);

/** An error of one kind of the table; `cause` keeps the error it stands for, when there is one. */
export class NslabError extends Error {
  constructor(readonly kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NslabError';
  }
  get exitCode(): number {
    return ERROR_KINDS[this.kind].exitCode;
  }
  get status(): number {
    return ERROR_KINDS[this.kind].status;
  }
}

/** Longest quoted value or field an error line echoes: a 10 MB value must not become a 10 MB line. */
export const ECHO_MAX = 40;

/** `s` cut to `max` characters with "…" when longer. */
export function clip(s: string, max = ECHO_MAX): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

// A quoted value opens after a space or "(" and closes before a space, punctuation or the end, so
// the text between two short values ("_", "." and "-") is never taken for one.
const QUOTED = new RegExp(`(^|[\\s(])"([^"\\n]{${ECHO_MAX + 1},}?)"(?=$|[\\s),.;:])`, 'g');

/** A bad value, refused before anything changed. `field` names the offending input. */
export class ValidationError extends NslabError {
  constructor(readonly field: string, message: string, options?: { cause?: unknown }) {
    // Messages quote the value they refuse ("…"): clip those here, once for every check, and
    // the line as a whole in case a value hides a quote or a newline.
    const quoted = message.replace(QUOTED, (_, pre: string, v: string) => `${pre}"${clip(v)}"`);
    super('invalid', `${clip(field, 3 * ECHO_MAX)}: ${clip(quoted.replace(/\n/g, ' '), 10 * ECHO_MAX)}`, options);
    this.name = 'ValidationError';
  }
}

/** One problem of a lab file: the file (as given, or `<stdin>`), the line (from 1), the path of keys, what is wrong. */
export interface LabProblem {
  file?: string;
  line?: number;
  path: string;
  message: string;
}

/** A problem as one line, `FILE:LINE: PATH: message` (editors and `grep -n` read `FILE:LINE:`). */
export function problemLine(p: LabProblem): string {
  const where = p.file === undefined ? '' : `${p.file}${p.line === undefined ? '' : `:${p.line}`}: `;
  return `${where}${clip(p.path, 3 * ECHO_MAX)}: ${clip(p.message, 10 * ECHO_MAX)}`;
}

/** Every problem of a lab file at once, refused before anything changed: one line each. */
export class LabFileError extends NslabError {
  /** The first problem's path, as a ValidationError's field. */
  readonly field: string;
  constructor(readonly problems: readonly LabProblem[]) {
    super('invalid', problems.map(problemLine).join('\n'));
    this.name = 'LabFileError';
    this.field = problems[0]?.path ?? 'file';
  }
}

/** The request conflicts with what exists. */
export class ConflictError extends NslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}

/** The request names something that does not exist. */
export class NotFoundError extends NslabError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('not-found', message, options);
    this.name = 'NotFoundError';
  }
}

/** Something failed while changing the host; what was half-done has been undone. `cause`: the step's error. */
export class ApplyError extends NslabError {
  constructor(message: string, readonly revertErrors: readonly Error[] = [], options?: { cause?: unknown }) {
    super('failed', message, options);
    this.name = 'ApplyError';
  }
}

/**
 * A removal went on past failing steps: each failure is listed, what they left is still
 * recorded, and running the same removal again finishes it. Nothing was undone.
 */
export class IncompleteError extends NslabError {
  constructor(readonly failures: readonly string[], done: readonly string[] = []) {
    const head = `${failures.length} removal step(s) failed and the rest went on${done.length ? ` (removed ${done.join(', ')})` : ''}; what is left is still recorded, run it again to finish:`;
    super('incomplete', [head, ...failures.map((f) => `  ${f}`)].join('\n'));
    this.name = 'IncompleteError';
  }
}

/** The kind of any thrown value: an error of no kind of the table is a failure. */
export function kindOf(err: unknown): ErrorKind {
  return err instanceof NslabError ? err.kind : 'failed';
}

/** Exit code for any thrown value (the CLI's, from the table). */
export function exitCodeOf(err: unknown): number {
  return ERROR_KINDS[kindOf(err)].exitCode;
}

/** HTTP status for any thrown value (nslabd's, from the table). */
export function statusOf(err: unknown): number {
  return ERROR_KINDS[kindOf(err)].status;
}

/** An error as `--json` prints it and nslabd sends it (`error` of the reply). */
export interface ErrorJson {
  kind: ErrorKind;
  message: string;
  exitCode: number;
  /** The offending input of a bad value. */
  field?: string;
  /** Each step that failed in an incomplete removal. */
  failures?: readonly string[];
  /** Each problem of a refused lab file. */
  problems?: readonly LabProblem[];
}

/** Any thrown value as JSON: the same for the CLI in-process and through nslabd (pure). */
export function errorJson(err: unknown): ErrorJson {
  const kind = kindOf(err);
  const e = err as { message?: unknown; field?: unknown; failures?: unknown; problems?: unknown };
  return {
    kind,
    message: err instanceof Error ? err.message : String(err),
    exitCode: ERROR_KINDS[kind].exitCode,
    ...(err instanceof NslabError && typeof e.field === 'string' ? { field: clip(e.field, 3 * ECHO_MAX) } : {}),
    ...(err instanceof NslabError && Array.isArray(e.failures) ? { failures: e.failures as string[] } : {}),
    ...(err instanceof NslabError && Array.isArray(e.problems) ? { problems: e.problems as LabProblem[] } : {}),
  };
}
