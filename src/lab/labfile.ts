// Lab files: YAML whose keys mirror the command-line flags, parsed into engine inputs.
import { open } from 'node:fs/promises';
import { isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { clip, LabFileError } from '../errors.js';
import { checkFirewallBackend, type ContainerInput, type ContainerSpec, type NetworkInput, type NetworkSpec } from '../engine/inputs.js';
import { crossCheck } from './cross.js';
import { entry } from './entries.js';
import { pathText, Problems } from './problems.js';

export interface Lab {
  networks: NetworkInput[];
  containers: ContainerInput[];
}

/** Largest lab file read: parsing is linear, but a lab has no business being bigger. */
export const LAB_MAX_BYTES = 1024 * 1024;

/** The top-level keys of a lab file. */
const TOP_KEYS = ['networks', 'containers', 'firewall-backend'];

/** The names of a top-level section, each with its settings. */
function section(p: Problems, where: string, v: unknown, what: string): Array<[string, unknown]> {
  if (v === null || v === undefined) return [];
  if (!(v instanceof Map)) {
    p.add([where], `must be a mapping of ${what} names`);
    return [];
  }
  return [...v].flatMap(([k, s]): Array<[string, unknown]> => {
    if (typeof k === 'string' || typeof k === 'number') return [[String(k), s]];
    p.add([where], `${what} names must be plain words`);
    return [];
  });
}

/**
 * Every key given twice in one mapping. The yaml package's own check compares every key with
 * every other one (8 s for 32k containers); a Set per mapping keeps parsing linear.
 */
function uniqueKeys(p: Problems, doc: Document): void {
  const key = (k: unknown) => (isScalar(k) ? k.value : String(k));
  visit(doc, {
    Map(_, map, path) {
      const seen = new Set<unknown>();
      for (const it of map.items) {
        const k = key(it.key);
        if (seen.has(k)) {
          const at = [...path.filter(isPair).map((x) => String(key(x.key))), String(k)];
          const line = p.lines.linePos((it.key as { range?: [number] } | null)?.range?.[0] ?? 0).line;
          p.add(at, 'is given twice', at.length > 1 ? pathText(at) : `lab.${clip(at[0]!)}`, line);
        }
        seen.add(k);
      }
    },
  });
}

/**
 * Parse lab-file text: `networks`, `containers` and `firewall-backend` (the backend holding
 * the rules of the networks the file declares) are the top-level keys. Pure. Every problem is
 * found before any is reported: a LabFileError (exit 2) lists them all, each with its path and,
 * given `source` (a path as given, or `<stdin>`), the file and line: `lab.yaml:14: containers.web.ip: …`.
 */
export function parseLab(src: string, source?: string): Lab {
  const p = new Problems(new LineCounter(), source);
  const lab = parseDoc(p, src);
  p.check();
  return lab!;
}

function parseDoc(p: Problems, src: string): Lab | undefined {
  if (src.length > LAB_MAX_BYTES || Buffer.byteLength(src) > LAB_MAX_BYTES) return void p.add(['file'], `is larger than ${LAB_MAX_BYTES >> 20} MiB, the most a lab file may be`);
  const d = parseDocument(src, { uniqueKeys: false, prettyErrors: false, lineCounter: p.lines });
  p.doc = d;
  for (const e of d.errors) p.add(['file'], `not valid YAML: ${e.message.split('\n')[0]}`, 'file', p.lines.linePos(e.pos[0]).line);
  if (d.errors.length) return undefined;
  uniqueKeys(p, d);
  // Maps, not objects: a network called "constructor" or "__proto__" is just a name.
  const doc: unknown = d.toJS({ mapAsMap: true });
  if (!(doc instanceof Map)) return void p.add(['file'], 'must be a mapping with networks and containers');
  for (const k of doc.keys()) if (!TOP_KEYS.includes(k as string)) p.add([String(k)], `unknown key (known: ${TOP_KEYS.join(', ')})`, `lab.${clip(String(k))}`);
  const fw = doc.get('firewall-backend');
  let firewall: string | undefined;
  if (fw !== undefined && fw !== null) p.try(['firewall-backend'], () => (firewall = checkFirewallBackend('firewall-backend', fw)));
  const nets = section(p, 'networks', doc.get('networks'), 'network').map(([n, v]) => entry<NetworkInput, NetworkSpec>(p, 'networks', n, v));
  const ctrs = section(p, 'containers', doc.get('containers'), 'container').map(([n, v]) => entry<ContainerInput, ContainerSpec>(p, 'containers', n, v));
  const good = <T>(xs: Array<T | undefined>) => xs.filter((x): x is T => x !== undefined);
  crossCheck(p, good(nets), good(ctrs));
  if (p.list.length) return undefined;
  return {
    networks: good(nets).map((n) => (firewall ? { ...n.input, firewall } : n.input)),
    containers: good(ctrs).map((c) => c.input),
  };
}

const tooLarge = (file: string) => new LabFileError([{ file, path: 'file', message: `is larger than ${LAB_MAX_BYTES >> 20} MiB, the most a lab file may be` }]);

/** Standard input, up to one byte past the limit (enough to refuse a larger lab). */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    size += (c as Buffer).length;
    if (size > LAB_MAX_BYTES) break;
  }
  return Buffer.concat(chunks).subarray(0, LAB_MAX_BYTES + 1);
}

/**
 * Read and parse a lab file (`-`: standard input, named `<stdin>` in errors); a file over the
 * size limit is refused before it is read whole. Reads only.
 */
export async function readLab(path: string): Promise<Lab> {
  if (path === '-') {
    const buf = await readStdin();
    if (buf.length > LAB_MAX_BYTES) throw tooLarge('<stdin>');
    return parseLab(buf.toString('utf8'), '<stdin>');
  }
  let buf: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      // Read one byte past the limit: enough to refuse, whatever the file is (a pipe has no size).
      buf = Buffer.alloc(LAB_MAX_BYTES + 1);
      let n = 0;
      for (let r = 1; r > 0 && n < buf.length; n += r) r = (await fh.read(buf, n, buf.length - n, null)).bytesRead;
      buf = buf.subarray(0, n);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new LabFileError([{ file: path, path: 'file', message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  if (buf.length > LAB_MAX_BYTES) throw tooLarge(path);
  return parseLab(buf.toString('utf8'), path);
}
