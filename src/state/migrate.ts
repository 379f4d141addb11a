// state.json and intent.json as earlier releases wrote them, brought to today's shape when read.
import { NslabError } from '../errors.js';
import type { Intent } from './intent.js';
import { STATE_VERSION, type State } from './types.js';

/** state.json (or intent.json) written by a newer nslab: never read, never overwritten (exit 1). */
export class NewerStateError extends NslabError {
  constructor(file: string, version: number) {
    super('corrupt-state', `${file} was written by a newer nslab (state version ${version}; this nslab reads versions 1 to ${STATE_VERSION}); nothing was changed: run the nslab that wrote it`);
    this.name = 'NewerStateError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * `o` with the entry `at` replaced by `key: value` in the same place (at the end when there is
 * no `at`) and the entries `drop` left out; the other entries keep their order (so a migrated
 * file reads like a new one).
 */
function reshape(o: Obj, at: string, key: string, value: unknown, drop: readonly string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === at) out[key] = value;
    else if (!drop.includes(k)) out[k] = v;
  }
  if (!(key in out)) out[key] = value;
  return out;
}

/**
 * Version 1 network (one IPv4 subnet as flat fields) → version 2 (a list of subnets, the
 * ip-range and aux addresses inside the subnet they lie in). What is not a v1 record (not an
 * object, or already a `subnets` list) is returned as it is: the record checks judge it.
 */
export function networkV1toV2(n: unknown): unknown {
  if (!isObj(n) || 'subnets' in n) return n;
  const s: Obj = { subnet: n.subnet, gateway: n.gateway };
  if (n.ipRange !== undefined) s.ipRange = n.ipRange;
  s.auxAddresses = n.auxAddresses ?? {};
  const v2 = reshape(n, 'subnet', 'subnets', [s], ['gateway', 'ipRange', 'auxAddresses']);
  // Every network of version 1 had its rules in iptables, the only backend there was.
  if ('firewall' in v2) return v2;
  const { created, ...rest } = v2;
  return created === undefined ? { ...rest, firewall: 'iptables' } : { ...rest, firewall: 'iptables', created };
}

/** Version 1 endpoint (ip, prefix, gateway) → version 2 (a list of addresses); anything else as it is. */
export function endpointV1toV2(e: unknown): unknown {
  if (!isObj(e) || 'addresses' in e) return e;
  const a: Obj = { ip: e.ip, prefix: e.prefix };
  if (e.gateway !== undefined) a.gateway = e.gateway;
  return reshape(e, 'ip', 'addresses', [a], ['prefix', 'gateway']);
}

/** A version 1 container: its endpoints migrated; anything else as it is. */
export function containerV1toV2(c: unknown): unknown {
  return isObj(c) && Array.isArray(c.endpoints) ? { ...c, endpoints: c.endpoints.map(endpointV1toV2) } : c;
}

const mapValues = (o: Obj, f: (x: unknown) => unknown): Obj => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/**
 * Parsed state.json of any version this code knows → today's shape. Pure: `raw` is not
 * changed (a migrated record is a new object; records of the current version are shared).
 * Throws NewerStateError for a version above STATE_VERSION and a plain Error for what is no
 * nslab state at all. Records are not checked here: engine/records.ts vets the result.
 */
export function migrateState(raw: unknown, file = 'state.json'): State {
  if (!isObj(raw) || !Number.isInteger(raw.version) || (raw.version as number) < 1 || !isObj(raw.networks) || !isObj(raw.containers)) {
    throw new Error('not an nslab state');
  }
  const version = raw.version as number;
  if (version > STATE_VERSION) throw new NewerStateError(file, version);
  if (version === STATE_VERSION) return raw as unknown as State;
  // version 2 → 3: port runs with a count are new; every version 2 record is a version 3 one
  if (version === 2) return { ...raw, version: STATE_VERSION } as unknown as State;
  // version 1: the shape of release 0.1.0 (and of 0.1.x with `labId`)
  return { ...raw, version: STATE_VERSION, networks: mapValues(raw.networks, networkV1toV2), containers: mapValues(raw.containers, containerV1toV2) } as unknown as State;
}

/**
 * Parsed intent.json → today's shape. Version 1 files carry no version. Pure, like
 * migrateState; what is no intent at all is an empty one (see IntentFile.read).
 */
export function migrateIntent(raw: unknown, file = 'intent.json'): Intent {
  if (!isObj(raw) || !Array.isArray(raw.containers)) return { containers: [] };
  const version = raw.version ?? 1;
  if (typeof version === 'number' && version > STATE_VERSION) throw new NewerStateError(file, version);
  if (version === STATE_VERSION) return raw as unknown as Intent;
  if (version === 2) return { ...raw, version: STATE_VERSION } as unknown as Intent;
  const endpoints = Array.isArray(raw.endpoints)
    ? raw.endpoints.map((x: unknown) => (isObj(x) ? { ...x, endpoint: endpointV1toV2(x.endpoint) } : x))
    : raw.endpoints;
  return { ...raw, version: STATE_VERSION, containers: raw.containers.map(containerV1toV2), ...(endpoints !== undefined ? { endpoints } : {}) } as unknown as Intent;
}
