// What `nslab doctor` reports: one finding per check, with the one line that fixes it.

/**
 * ok: nothing to do; note: worth knowing, nslab works; warn: nslab works, but a lab (or a
 * feature) will not behave as taught; fail: blocks nslab (exit 1).
 */
export type Level = 'ok' | 'note' | 'warn' | 'fail';

export interface Finding {
  /** Stable id for a course's script: "tool.iptables", "sysctl.ip_forward", "firewall.ufw". */
  readonly id: string;
  readonly level: Level;
  /** What was found, in one line. */
  readonly what: string;
  /** The one command (or step) that fixes it; absent when nothing needs fixing. */
  readonly fix?: string;
}

export const ok = (id: string, what: string): Finding => ({ id, level: 'ok', what });
export const note = (id: string, what: string, fix?: string): Finding => ({ id, level: 'note', what, ...(fix ? { fix } : {}) });
export const warn = (id: string, what: string, fix: string): Finding => ({ id, level: 'warn', what, fix });
export const fail = (id: string, what: string, fix: string): Finding => ({ id, level: 'fail', what, fix });

const MARK: Record<Level, string> = { ok: '✓', note: '·', warn: '!', fail: '✗' };

/** The findings as lines for a terminal: mark, what, and the fix on the next line. Pure. */
export function renderFindings(fs: readonly Finding[]): string {
  const lines = fs.map((f) => `${MARK[f.level]} ${f.what}${f.fix ? `\n    fix: ${f.fix}` : ''}`);
  const failed = fs.filter((f) => f.level === 'fail').length;
  const warned = fs.filter((f) => f.level === 'warn').length;
  lines.push(failed ? `doctor: ${failed} problem(s) block nslab${warned ? `, ${warned} warning(s)` : ''}` : `doctor: nothing blocks nslab${warned ? ` (${warned} warning(s))` : ''}`);
  return lines.join('\n') + '\n';
}

/** 0 when nothing blocks nslab, 1 otherwise. */
export const doctorExit = (fs: readonly Finding[]): number => (fs.some((f) => f.level === 'fail') ? 1 : 0);
