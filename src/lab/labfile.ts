// Lab files: YAML whose keys mirror the command-line flags, parsed into engine inputs.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ValidationError } from '../errors.js';
import type { ContainerInput, NetworkInput } from '../engine/inputs.js';

export interface Lab {
  networks: NetworkInput[];
  containers: ContainerInput[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function strList(field: string, v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x !== 'string' && typeof x !== 'number') throw new ValidationError(field, 'must be a string or a list of strings');
    return String(x);
  });
}

function str(field: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new ValidationError(field, 'must be a string');
  return String(v);
}

function known(where: string, o: Obj, keys: readonly string[]): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ValidationError(`${where}.${k}`, `unknown key (known: ${keys.join(', ')})`);
}

const NET_KEYS = ['driver', 'subnet', 'gateway', 'ip-range', 'aux-address', 'bridge', 'mtu', 'internal', 'masquerade', 'icc', 'opt'] as const;
const CTR_KEYS = ['network', 'networks', 'ip', 'mac', 'dns', 'dns-search', 'hostname', 'aliases', 'links', 'add-hosts', 'ports'] as const;

function network(name: string, v: unknown): NetworkInput {
  const w = `networks.${name}`;
  const o = v === null || v === undefined ? {} : v;
  if (!isObj(o)) throw new ValidationError(w, 'must be a mapping of settings');
  known(w, o, NET_KEYS);
  const bool = (k: string) => (o[k] === undefined ? undefined : (o[k] as boolean));
  return {
    name,
    driver: str(`${w}.driver`, o.driver),
    subnet: str(`${w}.subnet`, o.subnet),
    gateway: str(`${w}.gateway`, o.gateway),
    ipRange: str(`${w}.ip-range`, o['ip-range']),
    auxAddress: strList(`${w}.aux-address`, o['aux-address']),
    bridge: str(`${w}.bridge`, o.bridge),
    mtu: o.mtu as number | undefined,
    internal: bool('internal'),
    masquerade: bool('masquerade'),
    icc: bool('icc'),
    options: strList(`${w}.opt`, o.opt),
  };
}

function container(name: string, v: unknown): ContainerInput {
  const w = `containers.${name}`;
  const o = v === null || v === undefined ? {} : v;
  if (!isObj(o)) throw new ValidationError(w, 'must be a mapping of settings');
  known(w, o, CTR_KEYS);
  const nets = strList(`${w}.networks`, o.networks);
  for (const k of ['links', 'ports'] as const) {
    if (o[k] !== undefined) throw new ValidationError(`${w}.${k}`, 'is not supported yet');
  }
  return {
    name,
    network: str(`${w}.network`, o.network),
    networks: nets,
    ip: str(`${w}.ip`, o.ip),
    mac: str(`${w}.mac`, o.mac),
    dns: strList(`${w}.dns`, o.dns),
    dnsSearch: strList(`${w}.dns-search`, o['dns-search']),
    hostname: str(`${w}.hostname`, o.hostname),
    aliases: strList(`${w}.aliases`, o.aliases),
    addHosts: strList(`${w}.add-hosts`, o['add-hosts']),
  };
}

/** Parse lab-file text; `networks` and `containers` are the only top-level keys. */
export function parseLab(text: string): Lab {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new ValidationError('file', `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new ValidationError('file', 'must be a mapping with networks and containers');
  known('lab', doc, ['networks', 'containers']);
  const nets = doc.networks ?? {};
  const ctrs = doc.containers ?? {};
  if (!isObj(nets)) throw new ValidationError('networks', 'must be a mapping of network names');
  if (!isObj(ctrs)) throw new ValidationError('containers', 'must be a mapping of container names');
  return {
    networks: Object.entries(nets).map(([n, v]) => network(n, v)),
    containers: Object.entries(ctrs).map(([n, v]) => container(n, v)),
  };
}

export async function readLab(path: string): Promise<Lab> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ValidationError('file', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseLab(text);
}
