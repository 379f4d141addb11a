// One graded check: what should hold, what was found, and for a failure the command that fixes it.

export interface Finding {
  /** The lab object, in lab words: `host`, `network lab`, `container container4`. */
  object: string;
  /** A stable key for the kind of check (autograders match on it): bridge, address, default-route, … */
  id: string;
  /** What should hold, in lab words ("default route via 10.201.0.1"). */
  check: string;
  ok: boolean;
  /** What the kernel shows. */
  found: string;
  /** For a failure: the command (a shell line) that fixes it; null when ok. */
  hint: string | null;
}

export const pass = (object: string, id: string, check: string, found: string): Finding => ({ object, id, check, ok: true, found, hint: null });

export const fail = (object: string, id: string, check: string, found: string, hint: string): Finding => ({ object, id, check, ok: false, found, hint });

/**
 * One line of the report (greppable): `✓ OBJECT: CHECK (what holds it)` — the finding shown when
 * it says more than the check, as which interface holds the address — or
 * `✗ OBJECT: CHECK — found: … — fix: COMMAND`.
 */
export function findingLine(f: Finding): string {
  if (!f.ok) return `✗ ${f.object}: ${f.check} — found: ${f.found} — fix: ${f.hint}`;
  return f.found === 'up' || f.check.includes(f.found) ? `✓ ${f.object}: ${f.check}` : `✓ ${f.object}: ${f.check} (${f.found})`;
}
