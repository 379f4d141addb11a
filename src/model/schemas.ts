// The shapes of nslab's inputs (zod): what nslabd's requests, lab files and the CLI may carry.
// zod/mini: the same checks and issues as zod's classic API in a twentieth of the code (the
// classic build cost every `up` ~70 ms of start-up to compile).
import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import type { EngineApi, Mutation } from '../engine/api.js';
import type { ContainerInput, NetworkInput } from '../engine/inputs.js';
import { FIREWALL_BACKENDS } from '../firewall/registry.js';

/** Bounds on sizes: names, addresses and host names are far shorter; semantic checks say exactly. */
export const LIMITS = { string: 512, list: 256, objects: 65_536 } as const;

const str = z.string().check(z.maxLength(LIMITS.string));
const list = z.array(str).check(z.maxLength(LIMITS.list));
// A flag may come as a string from Docker's -o KEY=VALUE (checkBool reads "true", "1", …).
const bool = z.boolean();

export const networkInput = z.strictObject({
  name: str,
  driver: z.optional(str),
  subnet: z.optional(str),
  gateway: z.optional(str),
  ipRange: z.optional(str),
  auxAddress: z.optional(list),
  bridge: z.optional(str),
  mtu: z.optional(z.union([z.number(), str])),
  internal: z.optional(bool),
  masquerade: z.optional(bool),
  icc: z.optional(bool),
  options: z.optional(list),
  firewall: z.optional(z.enum(FIREWALL_BACKENDS)),
}) satisfies z.ZodMiniType<NetworkInput>;

export const containerInput = z.strictObject({
  name: str,
  network: z.optional(str),
  networks: z.optional(list),
  ip: z.optional(str),
  mac: z.optional(str),
  dns: z.optional(list),
  dnsSearch: z.optional(list),
  dnsOptions: z.optional(list),
  hostname: z.optional(str),
  aliases: z.optional(list),
  links: z.optional(list),
  addHosts: z.optional(list),
  ports: z.optional(list),
}) satisfies z.ZodMiniType<ContainerInput>;

// JSON has no undefined: an omitted optional argument arrives as null.
const optional = <T extends z.ZodMiniType>(s: T) => z.pipe(z.nullish(s), z.transform((v: z.output<T> | null | undefined) => v ?? undefined));
const names = z.array(str).check(z.maxLength(LIMITS.objects));

/** Each verb's arguments: their names (for error fields) and their shapes, in order. */
const VERBS = {
  createNetwork: { args: ['network'], schema: z.tuple([networkInput]) },
  removeNetworks: { args: ['names', 'force'], schema: z.tuple([names, optional(bool)]) },
  createContainers: { args: ['containers'], schema: z.tuple([z.array(containerInput).check(z.maxLength(LIMITS.objects))]) },
  up: { args: ['networks', 'containers'], schema: z.tuple([z.array(networkInput).check(z.maxLength(LIMITS.objects)), z.array(containerInput).check(z.maxLength(LIMITS.objects))]) },
  removeContainers: { args: ['names', 'force'], schema: z.tuple([names, optional(bool)]) },
  connect: { args: ['network', 'container', 'options'], schema: z.tuple([str, str, optional(z.strictObject({ ip: z.optional(str), aliases: z.optional(list) }))]) },
  disconnect: { args: ['network', 'container'], schema: z.tuple([str, str]) },
  reset: { args: [], schema: z.tuple([]) },
  check: { args: ['repair'], schema: z.tuple([optional(bool)]) },
  gc: { args: [], schema: z.tuple([]) },
  rebuildState: { args: [], schema: z.tuple([]) },
  plan: { args: ['networks', 'containers'], schema: z.tuple([z.array(networkInput).check(z.maxLength(LIMITS.objects)), z.array(containerInput).check(z.maxLength(LIMITS.objects))]) },
} satisfies Record<Mutation, { args: string[]; schema: z.ZodMiniType }>;

const KINDS: Record<string, string> = {
  string: 'a string', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping', tuple: 'a list of arguments',
};

/** One line for one zod issue: what the value must be, never the value itself. */
function describe(i: z.core.$ZodIssue, value: unknown): string {
  switch (i.code) {
    case 'invalid_type': return at(value, i.path) === undefined ? 'is required' : `must be ${KINDS[i.expected] ?? i.expected}`;
    case 'unrecognized_keys': return 'unknown key';
    case 'too_big': return i.origin === 'string' ? `is longer than ${i.maximum} characters` : `has more than ${i.maximum} ${i.path.length ? 'items' : 'arguments'}`;
    case 'too_small': if (i.origin === 'string') return 'must not be empty';
      return `needs at least ${i.minimum} ${i.path.length ? 'items' : 'arguments'}`;
    case 'invalid_union': {
      const kinds = i.errors.flatMap((e) => e.filter((x) => x.code === 'invalid_type').map((x) => KINDS[(x as { expected: string }).expected] ?? 'another kind'));
      return kinds.length ? `must be ${kinds.join(' or ')}` : 'has the wrong shape';
    }
    case 'invalid_value': return `must be one of ${i.values.map(String).join(', ')}`;
    case 'custom': return i.message;
    default: return 'has the wrong shape';
  }
}

/** The value at `path` inside `v` (own properties only), or undefined. */
function at(v: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  for (const p of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, p)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** A path as a field: ["networks", 3, "ip"] → "networks[3].ip". */
export function pathField(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, n) => (typeof p === 'number' ? `[${p}]` : n ? `.${String(p)}` : String(p))).join('');
}

/**
 * Check `value` against `schema`; return the parsed value or throw one ValidationError naming
 * the field (`field` turns a path into the caller's words: lab-file keys, argument names).
 * Unknown keys are reported first, as the file's author most likely mistyped one.
 */
export function validate<T extends z.ZodMiniType>(schema: T, value: unknown, field: (path: PropertyKey[]) => string = pathField): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = issuesOf(schema, value)[0]!;
  throw new ValidationError(field(i.path) || 'input', i.message);
}

/** Every issue of `value` against `schema`, unknown keys first, each as its path and one line (none: it fits). Pure. */
export function issuesOf(schema: z.ZodMiniType, value: unknown): Array<{ path: PropertyKey[]; message: string }> {
  const r = schema.safeParse(value);
  if (r.success) return [];
  const issues = [...r.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  return issues.map((i) => ({ path: i.code === 'unrecognized_keys' ? [...i.path, i.keys[0]!] : i.path, message: describe(i, value) }));
}

/** The arguments of a verb, checked: nslabd runs this on every request body before anything else. */
export function checkArgs<V extends Mutation>(verb: V, args: unknown): Parameters<EngineApi[V]> {
  const { args: argNames, schema } = VERBS[verb];
  // A missing argument is named like a missing key ("containers: is required"), not counted.
  const padded = Array.isArray(args) && args.length < argNames.length ? [...args, ...Array<undefined>(argNames.length - args.length)] : args;
  return validate(schema, padded, (p) => {
    if (!p.length) return 'arguments';
    const [i, ...rest] = p;
    return pathField([(argNames as readonly string[])[i as number] ?? `args[${String(i)}]`, ...rest]);
  }) as Parameters<EngineApi[V]>;
}


/** nslabd's command line. A Unix socket path is at most 107 bytes (sun_path). */
export const daemonOptions = z.strictObject({
  socket: z.string().check(z.minLength(1), z.refine((p) => Buffer.byteLength(p) <= 107, 'is longer than 107 bytes, the most a Unix socket path may be')),
  stateDir: z.string().check(z.minLength(1)),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  firewallBackend: z.enum(FIREWALL_BACKENDS),
  /** The embedded DNS server's upstreams for containers without --dns (addresses, checked by nslabd's main). */
  dns: z.optional(z.array(z.string())),
  /** nslabd --http ADDR:PORT (parsed by nslabd's main). */
  http: z.optional(z.string()),
});
