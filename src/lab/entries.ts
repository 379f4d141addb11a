// One network or container of a lab file: its keys, its shape (the input schemas) and its values
// (the engine's own parsers), every problem found with the key or list item it is about.
import { ValidationError } from '../errors.js';
import { parseContainerInput, parseNetworkInput, type ContainerInput, type ContainerSpec, type NetworkInput, type NetworkSpec } from '../engine/inputs.js';
import { containerInput, issuesOf, networkInput } from '../model/schemas.js';
import { reasonOf, type Problems, type Segs } from './problems.js';

/** Lab-file key → input field. */
export const NET_KEYS: Record<string, keyof NetworkInput> = {
  driver: 'driver', subnet: 'subnet', gateway: 'gateway', 'ip-range': 'ipRange', 'aux-address': 'auxAddress', bridge: 'bridge',
  mtu: 'mtu', internal: 'internal', masquerade: 'masquerade', icc: 'icc', opt: 'options',
};
export const CTR_KEYS: Record<string, keyof ContainerInput> = {
  network: 'network', networks: 'networks', ip: 'ip', mac: 'mac', dns: 'dns', 'dns-search': 'dnsSearch', 'dns-options': 'dnsOptions', hostname: 'hostname',
  aliases: 'aliases', links: 'links', 'add-hosts': 'addHosts', ports: 'ports',
};
/** Fields that take a list; a lab file may give a single value instead. */
export const LISTS = new Set<string>(['auxAddress', 'options', 'networks', 'dns', 'dnsSearch', 'dnsOptions', 'aliases', 'links', 'addHosts', 'ports']);
/** Fields whose value goes to the engine as written (numbers and flags keep their type). */
const RAW = new Set<string>(['mtu', 'internal', 'masquerade', 'icc']);

/** The flag words the engine's parsers name fields with → the lab file's keys. */
const FLAG_KEYS: Record<string, string> = {
  alias: 'aliases', link: 'links', 'add-host': 'add-hosts', 'dns-option': 'dns-options', publish: 'ports',
};

// YAML writes 10.0.0.1 as a string but 1500 or 8080 as numbers: both are text to a flag.
const text = (x: unknown) => (typeof x === 'number' ? String(x) : x);

/** One value as the flag would carry it: null is absent, a lone value is a list of one. */
function lenient(field: string, v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (RAW.has(field)) return v;
  if (LISTS.has(field)) return Array.isArray(v) ? v.map(text) : v instanceof Map ? v : [text(v)];
  return text(v);
}

export type Kind = 'networks' | 'containers';
export interface Parsed<I, S> { input: I; spec: S }

/**
 * One entry of a section, checked in full: unknown keys, the schema's issues, then the engine's
 * parser; when that refuses, each key (each item of a list) is parsed alone so that every bad one
 * is named, and a refusal that only the whole entry shows (a mode with an ip) is named by its key.
 * Returns the input and its spec, or undefined when its values are wrong (each one added to `p`).
 */
export function entry<I extends { name: string }, S>(p: Problems, kind: Kind, name: string, v: unknown): Parsed<I, S> | undefined {
  const keys: Record<string, string> = kind === 'networks' ? NET_KEYS : CTR_KEYS;
  const at: Segs = [kind, name];
  const o = v === null || v === undefined ? new Map<unknown, unknown>() : v;
  if (!(o instanceof Map)) return void p.add(at, 'must be a mapping of settings');
  const input: Record<string, unknown> = { name };
  const back: Record<string, string> = {};
  for (const [k, val] of o) {
    const key = String(k);
    if (!Object.hasOwn(keys, key)) {
      p.add([...at, key], `unknown key (known: ${Object.keys(keys).join(', ')})`);
      continue;
    }
    input[keys[key]!] = lenient(keys[key]!, val);
    back[keys[key]!] = key;
  }
  const issues = issuesOf(kind === 'networks' ? networkInput : containerInput, input);
  for (const i of issues) {
    const [f, ...rest] = i.path;
    p.add(f === 'name' ? at : [...at, back[String(f)] ?? String(f), ...rest.map((x) => (typeof x === 'number' ? x : String(x)))], i.message);
  }
  // Unknown keys are reported, and the rest is still checked (and checked against the other entries).
  if (issues.length) return undefined;
  const parse = (x: Record<string, unknown>) => (kind === 'networks' ? parseNetworkInput(x as unknown as NetworkInput) : parseContainerInput(x as unknown as ContainerInput));
  let spec: unknown;
  try {
    spec = parse(input);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    // What is right of it still counts against the other entries (an address in its subnet, …).
    const good = isolate(p, at, input, back, parse, e);
    try {
      return good && { input: good as unknown as I, spec: parse(good) as S };
    } catch {
      return undefined;
    }
  }
  return { input: input as I, spec: spec as S };
}

/**
 * Name every key of a refused entry that is wrong on its own, or else the key the whole entry's
 * refusal is about. Returns the entry's keys that are right on their own (none when its name is wrong).
 */
function isolate(
  p: Problems, at: Segs, input: Record<string, unknown>, back: Record<string, string>, parse: (x: Record<string, unknown>) => unknown, whole: ValidationError,
): Record<string, unknown> | undefined {
  const { name } = input;
  if (!p.try(at, () => parse({ name }))) return undefined;
  // A network's addresses are checked against its subnet: keep the subnet when it is good.
  const base: Record<string, unknown> = { name };
  if (input.subnet !== undefined && p.try([...at, back.subnet!], () => parse({ name, subnet: input.subnet }))) base.subnet = input.subnet;
  const good = { ...base };
  let alone = true;
  for (const [f, v] of Object.entries(input)) {
    if (f === 'name' || f === 'subnet' || v === undefined) continue;
    const ok = LISTS.has(f) && Array.isArray(v)
      ? v.map((x, i) => p.try([...at, back[f]!, i], () => parse({ ...base, [f]: [x] }))).every(Boolean)
      : p.try([...at, back[f]!], () => parse({ ...base, [f]: v }));
    if (ok) good[f] = v;
    alone &&= ok;
  }
  if (!alone || (input.subnet !== undefined && base.subnet === undefined)) return good;
  const f = whole.field === 'network' && input.network === undefined ? 'networks' : whole.field;
  const key = FLAG_KEYS[f] ?? f;
  const blamed = Object.keys(back).find((x) => back[x] === key);
  p.add(blamed ? [...at, key] : at, reasonOf(whole));
  if (blamed) delete good[blamed];
  return blamed ? good : base;
}

export type NetEntry = Parsed<NetworkInput, NetworkSpec>;
export type CtrEntry = Parsed<ContainerInput, ContainerSpec>;
