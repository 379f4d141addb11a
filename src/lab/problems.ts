// The problems of one lab file, collected rather than thrown: each with its path of keys and the line it is on.
import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';
import { clip, ECHO_MAX, LabFileError, NslabError, ValidationError, type LabProblem } from '../errors.js';

/** A path inside a lab file: keys, and indices of list items. */
export type Segs = ReadonlyArray<string | number>;

/** ["containers", "web", "ports", 1] → "containers.web.ports[1]" (names clipped: a huge key is not echoed). */
export function pathText(segs: Segs): string {
  return segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i ? `.${clip(s)}` : clip(s))).join('');
}

/** What a ValidationError says about its field, without the field ("is required", …). */
export function reasonOf(e: ValidationError): string {
  return e.message.slice(clip(e.field, 3 * ECHO_MAX).length + 2);
}

const keyOf = (k: unknown) => String(isScalar(k) ? k.value : k);

/** The line (from 1) of the deepest node of `segs` the document has: a key's own line, a list item's line. */
export function lineOf(doc: Document | undefined, lines: LineCounter, segs: Segs): number | undefined {
  let node: unknown = doc?.contents;
  let at: number | undefined;
  for (const s of segs) {
    let next: { range?: [number, number, number] | null } | undefined;
    if (typeof s === 'number' && isSeq(node)) {
      next = node.items[s] as typeof next;
      at = next?.range?.[0] ?? at;
    } else if (isMap(node)) {
      // The last pair of that key: with a key given twice, the one whose value counts.
      const pair = [...node.items].reverse().find((p) => keyOf(p.key) === String(s));
      if (!pair) break;
      at = (pair.key as typeof next)?.range?.[0] ?? at;
      next = pair.value as typeof next;
    } else break;
    node = next;
  }
  return at === undefined ? undefined : lines.linePos(at).line;
}

export class Problems {
  readonly list: LabProblem[] = [];
  doc: Document | undefined;

  /** `source`: the file as given on the command line, `<stdin>`, or none (lines then carry only the path). */
  constructor(readonly lines: LineCounter, readonly source?: string) {}

  /** A problem at `segs` (`path`: its text when it is not the usual one), with the line of that key or item. */
  add(segs: Segs, message: string, path = pathText(segs), line = lineOf(this.doc, this.lines, segs)): void {
    this.list.push({ ...(this.source === undefined ? {} : { file: this.source }), ...(line === undefined || this.source === undefined ? {} : { line }), path, message: message.replace(/\n/g, ' ') });
  }

  /** Run `fn`; a ValidationError it throws is a problem at `segs` (false), anything else goes on up. */
  try(segs: Segs, fn: () => unknown): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      this.add(segs, reasonOf(e));
      return false;
    }
  }

  /** Throw every problem at once (exit 2) when there is any. */
  check(): void {
    // In the file's order (a stable sort: problems of one line keep theirs).
    if (this.list.length) throw new LabFileError(this.list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  }
}

/** Is `e` a problem of the input (a refusal before anything changed), not a failure? */
export const isRefusal = (e: unknown): e is NslabError => e instanceof NslabError && e.exitCode === 2;
