// `nslab check FILE`: grade a lab built by hand against its lab file, in-process and read-only.
import { ValidationError } from '../errors.js';
import type { Finding } from '../grade/finding.js';
import type { GlobalOptions } from './context.js';
import { json } from './context.js';

/**
 * Read FILE, read the live kernel, print one ✓/✗ line per check (or --json: the findings) and
 * set exit code 1 when any fails. Changes nothing, so it needs neither nslabd nor the state
 * lock: it runs here whether or not nslabd runs. Root is needed to look inside namespaces.
 */
export async function gradeCommand(file: string, opts: GlobalOptions, out: (s: string) => void): Promise<void> {
  const [{ readLab }, { grade, labSpecs, namesToObserve }, { observeForGrade }, { findingLine }, { ExecaRunner }] = await Promise.all([
    import('../lab/labfile.js'), import('../grade/grade.js'), import('../grade/observe.js'), import('../grade/finding.js'), import('../exec/runner.js'),
  ]);
  const lab = await readLab(file);
  labSpecs(lab); // a file that cannot be graded is refused (exit 2) before the kernel is read
  if (process.getuid?.() !== 0) throw new ValidationError('permission', 'check FILE needs root to look inside the namespaces: run it with sudo');
  const view = await observeForGrade(new ExecaRunner(undefined, { launcher: false }), namesToObserve(lab));
  const { findings, notes } = grade(lab, view);
  const failed = findings.filter((f: Finding) => !f.ok);
  if (opts.json) {
    out(json(findings));
    for (const n of notes) process.stderr.write(`nslab: note: ${n}\n`);
  } else {
    out(findings.map((f) => findingLine(f) + '\n').join('') + notes.map((n) => `note: ${n}\n`).join(''));
    out(failed.length ? `check: ${failed.length} of ${findings.length} checks fail\n` : `check: the lab matches ${file} (${findings.length} checks)\n`);
  }
  if (failed.length) process.exitCode = 1;
}
