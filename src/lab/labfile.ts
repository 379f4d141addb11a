// Lab files: YAML whose keys mirror the command-line flags, parsed into engine inputs.
import { open } from 'node:fs/promises';
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { clip, ECHO_MAX, ValidationError } from '../errors.js';
import { checkFirewallBackend, type ContainerInput, type NetworkInput } from '../engine/inputs.js';
import { containerInput, networkInput, validate } from '../model/schemas.js';
import { parsePublish } from '../engine/publish.js';

export interface Lab {
  networks: NetworkInput[];
  containers: ContainerInput[];
}

/** Largest lab file read: parsing is linear, but a lab has no business being bigger. */
export const LAB_MAX_BYTES = 1024 * 1024;

/** Lab-file key → input field; `null`: known but not supported yet. */
const NET_KEYS: Record<string, keyof NetworkInput> = {
  driver: 'driver', subnet: 'subnet', gateway: 'gateway', 'ip-range': 'ipRange', 'aux-address': 'auxAddress', bridge: 'bridge',
  mtu: 'mtu', internal: 'internal', masquerade: 'masquerade', icc: 'icc', opt: 'options',
};
const CTR_KEYS: Record<string, keyof ContainerInput | null> = {
  network: 'network', networks: 'networks', ip: 'ip', mac: 'mac', dns: 'dns', 'dns-search': 'dnsSearch', 'dns-options': 'dnsOptions', hostname: 'hostname',
  aliases: 'aliases', links: 'links', 'add-hosts': 'addHosts', ports: 'ports',
};
/** Fields that take a list; a lab file may give a single value instead. */
const LISTS = new Set<string>(['auxAddress', 'options', 'networks', 'dns', 'dnsSearch', 'dnsOptions', 'aliases', 'links', 'addHosts', 'ports']);
/** Fields whose value goes to the engine as written (numbers and flags keep their type). */
const RAW = new Set<string>(['mtu', 'internal', 'masquerade', 'icc']);

// YAML writes 10.0.0.1 as a string but 1500 or 8080 as numbers: both are text to a flag.
const text = (x: unknown) => (typeof x === 'number' ? String(x) : x);

/** One value as the flag would carry it: null is absent, a lone value is a list of one. */
function lenient(field: string, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (RAW.has(field)) return v;
  if (LISTS.has(field)) return Array.isArray(v) ? v.map(text) : v instanceof Map ? v : [text(v)];
  return text(v);
}

/** The settings of one network or container, checked against the input schema in the file's words. */
function entry<I>(where: string, name: string, v: unknown, keys: Record<string, string | null>, schema: typeof networkInput | typeof containerInput): I {
  const w = `${where}.${clip(name)}`;
  const o = v === null || v === undefined ? new Map<unknown, unknown>() : v;
  if (!(o instanceof Map)) throw new ValidationError(w, 'must be a mapping of settings');
  const input: Record<string, unknown> = { name };
  const back: Record<string, string> = {};
  for (const [k, val] of o) {
    const key = String(k);
    if (!Object.hasOwn(keys, key)) throw new ValidationError(`${w}.${clip(key)}`, `unknown key (known: ${Object.keys(keys).join(', ')})`);
    const field = keys[key];
    if (field === null) {
      if (val !== null && val !== undefined) throw new ValidationError(`${w}.${key}`, 'is not supported yet');
      continue;
    }
    input[field!] = lenient(field!, val);
    back[field!] = key;
  }
  return validate(schema, input, ([f, ...rest]) =>
    f === 'name' ? w : `${w}.${back[String(f)] ?? String(f)}${rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`) as I;
}

/** The names of a top-level section, each with its settings. */
function section(where: string, v: unknown, what: string): Array<[string, unknown]> {
  if (v === null || v === undefined) return [];
  if (!(v instanceof Map)) throw new ValidationError(where, `must be a mapping of ${what} names`);
  return [...v].map(([k, s]) => {
    if (typeof k !== 'string' && typeof k !== 'number') throw new ValidationError(where, `${what} names must be plain words`);
    return [String(k), s];
  });
}

/**
 * Refuse a key given twice in one mapping. The yaml package's own check compares every key with
 * every other one (8 s for 32k containers); a Set per mapping keeps parsing linear.
 */
function uniqueKeys(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Map(_, map, path) {
      const seen = new Set<unknown>();
      for (const it of map.items) {
        const k = isScalar(it.key) ? it.key.value : String(it.key);
        if (seen.has(k)) {
          const at = [...path.filter(isPair).map((p) => String(isScalar(p.key) ? p.key.value : p.key)), String(k)].map((s) => clip(s));
          throw new ValidationError(at.length > 1 ? at.join('.') : `lab.${at[0]}`, 'is given twice');
        }
        seen.add(k);
      }
    },
  });
}

/** The top-level keys of a lab file. */
const TOP_KEYS = ['networks', 'containers', 'firewall-backend'];

/** The line (from 1) of the deepest key of `path` the document has, following mappings from the top. */
function lineOf(d: Document, lines: LineCounter, path: readonly string[]): number | undefined {
  let node: unknown = d.contents;
  let line: number | undefined;
  for (const k of path) {
    if (!isMap(node)) break;
    const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === k);
    const at = (pair?.key as { range?: [number] } | undefined)?.range?.[0];
    if (at === undefined) break;
    line = lines.linePos(at).line;
    node = pair!.value;
  }
  return line;
}

/**
 * Parse lab-file text: `networks`, `containers` and `firewall-backend` (the backend holding
 * the rules of the networks the file declares) are the top-level keys. Pure. With `source`
 * (a path, or `<stdin>`), an error ends by naming it and the line it is about.
 */
export function parseLab(src: string, source?: string): Lab {
  const lines = new LineCounter();
  let d: Document | undefined;
  const where = (path: string[]) => {
    const line = d && path.length ? lineOf(d, lines, path) : undefined;
    return [source, line === undefined ? undefined : `line ${line}`].filter(Boolean).join(', ');
  };
  try {
    return parseDoc(src, (doc) => (d = doc), lines);
  } catch (e) {
    if (!(e instanceof ValidationError) || !source) throw e;
    // The field names the keys that lead to the value ("networks.lab.subnet"): their line.
    const [top, name, key] = [e.field.split('.')[0]!, ...splitEntry(e.field)];
    const path = top === 'lab' ? [e.field.slice(4)] : name === undefined ? (top === 'file' ? [] : [top]) : [top, name, ...(key ? [key] : [])];
    throw new ValidationError(e.field, `${e.message.slice(clip(e.field, 3 * ECHO_MAX).length + 2)} (${where(path)})`, { cause: e });
  }
}

/** "networks.lab.subnet[0]" → ["lab", "subnet"]: the entry's name and the key within it (names have no dots in practice). */
function splitEntry(field: string): [string?, string?] {
  const [, name, key] = field.split('.');
  return [name, key?.replace(/\[.*$/, '')];
}

function parseDoc(src: string, keep: (d: Document) => void, lines: LineCounter): Lab {
  if (src.length > LAB_MAX_BYTES || Buffer.byteLength(src) > LAB_MAX_BYTES) throw new ValidationError('file', `is larger than ${LAB_MAX_BYTES >> 20} MiB, the most a lab file may be`);
  let doc: unknown;
  try {
    const d = parseDocument(src, { uniqueKeys: false, prettyErrors: false, lineCounter: lines });
    keep(d);
    if (d.errors.length) throw d.errors[0]!;
    uniqueKeys(d);
    // Maps, not objects: a network called "constructor" or "__proto__" is just a name.
    doc = d.toJS({ mapAsMap: true });
  } catch (e) {
    if (e instanceof ValidationError) throw e;
    const pos = (e as { pos?: [number, number] }).pos;
    throw new ValidationError('file', `not valid YAML: ${(e as Error).message.split('\n')[0]}${pos ? ` at line ${lines.linePos(pos[0]).line}` : ''}`);
  }
  if (!(doc instanceof Map)) throw new ValidationError('file', 'must be a mapping with networks and containers');
  for (const k of doc.keys()) if (!TOP_KEYS.includes(k as string)) throw new ValidationError(`lab.${clip(String(k))}`, `unknown key (known: ${TOP_KEYS.join(', ')})`);
  const fw = doc.get('firewall-backend');
  const firewall = fw === undefined || fw === null ? undefined : checkFirewallBackend('firewall-backend', fw);
  return {
    networks: section('networks', doc.get('networks'), 'network')
      .map(([n, v]) => entry<NetworkInput>('networks', n, v, NET_KEYS, networkInput))
      .map((n) => (firewall ? { ...n, firewall } : n)),
    containers: section('containers', doc.get('containers'), 'container').map(([n, v]) => entry<ContainerInput>('containers', n, v, CTR_KEYS, containerInput))
      // Ports are checked here too, so that a bad one is reported with its line.
      .map((c) => (c.ports?.forEach((p, i) => parsePublish(p, `containers.${clip(c.name)}.ports[${i}]`)), c)),
  };
}

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
    if (buf.length > LAB_MAX_BYTES) throw new ValidationError('file', `<stdin> is larger than ${LAB_MAX_BYTES >> 20} MiB, the most a lab file may be`);
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
    throw new ValidationError('file', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length > LAB_MAX_BYTES) throw new ValidationError('file', `${path} is larger than ${LAB_MAX_BYTES >> 20} MiB, the most a lab file may be`);
  return parseLab(buf.toString('utf8'), path);
}
