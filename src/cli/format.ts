// `--format` and `-q` of ls and inspect: json, table, or a Go-template-like field pick over the inspect view.
import { NotFoundError, ValidationError } from '../errors.js';

/**
 * How a listing is printed: `table` (the default of ls), `json` (the inspect views, as
 * `--json`), `names` (`-q`), or a template such as `{{.Name}} {{.IPAM.Config}}`.
 */
export type Format = { kind: 'table' | 'json' | 'names' } | { kind: 'template'; render: (view: unknown) => string };

// {{.A.B}}, {{ .A }}, {{json .A}}, {{.}}: a dotted path into the view, optionally as JSON.
const ACTION = /\{\{\s*(json\s+)?(\.[A-Za-z0-9_.]*)\s*\}\}/g;

/** A value as a Go template prints it: text as is, numbers and flags as words, the rest as JSON. */
function show(v: unknown, asJson: boolean): string {
  if (asJson) return JSON.stringify(v ?? null);
  if (v === undefined || v === null) return '<no value>';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * A renderer for `template`: each `{{.Path}}` is replaced by that field of the view (`{{.}}`: the
 * whole view), `{{json .Path}}` by its JSON; `\t` and `\n` are a tab and a newline. Anything else
 * between braces (range, if, functions) is refused, naming the field `format`. Pure.
 */
export function compileTemplate(template: string): (view: unknown) => string {
  const rest = template.replace(ACTION, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    throw new ValidationError('format', `"${template}" is not a template nslab knows: it picks fields, {{.Name}} or {{.IPAM.Config}} or {{json .Containers}}, nothing else`);
  }
  const text = template.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return (view) => text.replace(ACTION, (_, asJson: string | undefined, path: string) => {
    let v: unknown = view;
    for (const k of path.split('.').filter(Boolean)) v = v !== null && typeof v === 'object' && Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
    return show(v, !!asJson);
  });
}

/** The format asked for by `--format` (and `-q`, which wins as in Docker), refused naming `format` when unknown. */
export function formatOf(o: { format?: string; quiet?: boolean }, json: boolean | undefined, fallback: 'table' | 'json'): Format {
  if (o.quiet) return { kind: 'names' };
  const f = o.format ?? (json ? 'json' : fallback);
  if (f === 'json' || f === 'table') return { kind: f };
  if (!f.includes('{{')) throw new ValidationError('format', `"${f}" is not json, table or a template such as '{{.Name}}'`);
  return { kind: 'template', render: compileTemplate(f) };
}

/** Print views by a format that is not a table: JSON, their names, or the template once per view (pure). */
export function formatted(f: Format, views: ReadonlyArray<{ Name: string }>): string {
  if (f.kind === 'names') return views.map((v) => `${v.Name}\n`).join('');
  if (f.kind === 'template') return views.map((v) => `${f.render(v)}\n`).join('');
  return JSON.stringify(views, null, 2) + '\n';
}

/**
 * What `ls` prints: every record sorted by name, as `asTable` lays them out or, in any other
 * format, as their views.
 */
export function listed<R extends { name: string }>(f: Format, records: Record<string, R>, view: (r: R) => { Name: string }, asTable: (sorted: R[]) => string): string {
  const all = Object.values(records).sort((a, b) => a.name.localeCompare(b.name));
  return f.kind === 'table' ? asTable(all) : formatted(f, all.map(view));
}

/**
 * What `inspect` prints for `names` (json or a template over the views); the first name not in
 * `records` is refused (NotFoundError, exit 2) before anything is printed.
 */
export function inspected<R>(o: { format?: string }, what: 'network' | 'container', names: readonly string[], records: Record<string, R>, view: (r: R) => { Name: string }): string {
  const f = formatOf(o, true, 'json');
  if (f.kind === 'table') throw new ValidationError('format', 'inspect prints json or a template, not a table');
  const missing = names.find((n) => !Object.hasOwn(records, n));
  if (missing !== undefined) throw new NotFoundError(`${what}: no such ${what} "${missing}"`);
  return formatted(f, names.map((n) => view(records[n]!)));
}
