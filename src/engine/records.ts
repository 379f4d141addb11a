// Records read back from state.json and intent.json are checked like user input before use.
import { isFirewallBackend } from '../firewall/registry.js';
import { ValidationError } from '../errors.js';
import { familyOf } from '../state/families.js';
import type { Intent } from '../state/intent.js';
import type { AddressRecord, ContainerRecord, EndpointRecord, NetworkRecord, PortRecord, State, SubnetRecord } from '../state/types.js';
import { DRIVER_NAMES, driverOf } from '../drivers/registry.js';
import { checkCidr, checkInt, checkIp, checkName } from './validate.js';

const MODES = new Set(['network', 'host', 'none', 'container']);

/** `msg` may be a function, for a message that quotes the value (made only on failure). */
function must(ok: boolean, field: string, msg: string | (() => string)): void {
  if (!ok) throw new ValidationError(field, typeof msg === 'string' ? msg : msg());
}

/** A word for the hosts and resolv.conf files: no blank, no comment, no line break. */
function word(field: string, v: unknown): void {
  must(typeof v === 'string' && /^[^\s#;]{1,253}$/.test(v), field, () => `${JSON.stringify(v)} is not a single word`);
}

function list(field: string, v: unknown, each: (f: string, x: unknown) => unknown): void {
  must(Array.isArray(v), field, 'is not a list');
  for (const x of v as unknown[]) each(field, x);
}

const ip = (f: string, v: unknown) => checkIp(f, String(v));

/**
 * A list with exactly one IPv4 entry and at most one of each family (`at` reads the address
 * of an entry): the accessors of state/families.ts rely on it.
 */
function oneOfEachFamily<T>(field: string, xs: unknown, each: (f: string, x: T) => void, at: (x: T) => string): void {
  must(Array.isArray(xs) && xs.length > 0, field, 'is not a non-empty list');
  for (const x of xs as T[]) each(field, x);
  const families = (xs as T[]).map((x) => familyOf(at(x)));
  must(new Set(families).size === families.length, field, 'holds two entries of one address family');
  must(families.includes(4), field, 'has no IPv4 entry');
}

function checkSubnetRecord(f: string, s: SubnetRecord): void {
  must(typeof s === 'object' && s !== null, f, 'holds an entry that is not a subnet');
  checkCidr('subnet', String(s.subnet));
  ip('gateway', s.gateway);
  if (s.ipRange !== undefined) checkCidr('ipRange', String(s.ipRange));
  must(typeof s.auxAddresses === 'object' && s.auxAddresses !== null, 'auxAddresses', 'is not a map');
  for (const v of Object.values(s.auxAddresses)) ip('auxAddresses', v);
}

function checkAddressRecord(f: string, a: AddressRecord): void {
  must(typeof a === 'object' && a !== null, f, 'holds an entry that is not an address');
  ip('ip', a.ip);
  checkInt('prefix', a.prefix, 0, familyOf(String(a.ip)) === 6 ? 128 : 32);
  if (a.gateway !== undefined) ip('endpoint gateway', a.gateway);
}

export function checkNetworkRecord(key: string, n: NetworkRecord): void {
  checkName('name', n?.name);
  must(n.name === key, 'name', `"${n.name}" is recorded under another name, "${key}"`);
  must(DRIVER_NAMES.includes(n.driver), 'driver', `${JSON.stringify(n.driver)} is not a driver this nslab knows`);
  driverOf(n).checkRecord(n); // what the driver adds to the record
  oneOfEachFamily('subnets', n.subnets, checkSubnetRecord, (s) => String(s.subnet));
  if (n.firewall !== undefined) must(isFirewallBackend(n.firewall), 'firewall', `${JSON.stringify(n.firewall)} is not a firewall backend`);
}

export function checkEndpointRecord(e: EndpointRecord): void {
  checkName('endpoint network', e?.network);
  must(typeof e.ifname === 'string' && /^eth\d{1,4}$/.test(e.ifname), 'ifname', `${JSON.stringify(e.ifname)} is not ethN`);
  checkName('hostVeth', e.hostVeth);
  oneOfEachFamily('addresses', e.addresses, checkAddressRecord, (a) => String(a.ip));
  must(typeof e.mac === 'string' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(e.mac), 'mac', `${JSON.stringify(e.mac)} is not a MAC address`);
  list('aliases', e.aliases, word);
}

export function checkContainerRecord(key: string, c: ContainerRecord): void {
  checkName('name', c?.name);
  must(c.name === key, 'name', `"${c.name}" is recorded under another name, "${key}"`);
  must(MODES.has(c.mode), 'mode', `${JSON.stringify(c.mode)} is not a network mode`);
  if (c.mode === 'container') checkName('shares', c.shares);
  list('endpoints', c.endpoints, (_, e) => checkEndpointRecord(e as EndpointRecord));
  word('hostname', c.hostname);
  list('dns', c.dns, ip);
  list('dnsSearch', c.dnsSearch, word);
  if (c.links !== undefined) {
    list('links', c.links, (f, l) => {
      checkName(f, (l as { container?: unknown })?.container);
      word(f, (l as { alias?: unknown }).alias);
    });
  }
  if (c.dnsOptions !== undefined) list('dnsOptions', c.dnsOptions, word);
  list('addHosts', c.addHosts, (f, h) => {
    word(f, (h as { name?: unknown })?.name);
    ip(f, (h as { ip?: unknown }).ip);
  });
  if (c.ports !== undefined) list('ports', c.ports, (f, p) => checkPortRecord(f, p as PortRecord));
}

/** Runs once per published port: written without closures or eager messages (nothing allocated unless it fails). */
function checkPortRecord(f: string, p: PortRecord): void {
  if (typeof p !== 'object' || p === null || (p.protocol !== 'tcp' && p.protocol !== 'udp')) throw new ValidationError(f, `${JSON.stringify(p)} is not a tcp or udp mapping`);
  // A stored run (port-runs.ts) whose count was bad is left unexpanded: refused here.
  if ('count' in p) throw new ValidationError(f, `count ${JSON.stringify((p as { count?: unknown }).count)} is not a whole number from 1 that keeps both ports within 65535`);
  if (p.hostIp !== undefined) ip(f, p.hostIp);
  checkInt(f, p.hostPort, 1, 65535);
  checkInt(f, p.containerPort, 1, 65535);
}

const why = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Drop every record that does not pass the checks user input passes, with one warning line
 * naming it: a record is never acted on (no path, namespace or link named from it) unless
 * its names are valid. Changes `state` in place and returns it; idempotent.
 */
export function vetState(state: State, warn: (line: string) => void): State {
  // Records written before ports existed have none: the field is defaulted (no new state version).
  for (const c of Object.values(state.containers)) if (typeof c === 'object' && c !== null && c.ports === undefined) c.ports = [];
  for (const [kind, map, check] of [
    ['network', state.networks, checkNetworkRecord],
    ['container', state.containers, checkContainerRecord],
  ] as const) {
    for (const key of Object.keys(map)) {
      try {
        (check as (k: string, r: unknown) => void)(key, map[key]);
      } catch (e) {
        warn(`state.json: the ${kind} record ${JSON.stringify(key).slice(0, 80)} is invalid (${why(e).slice(0, 200)}); skipped, nothing is done with it`);
        delete map[key];
      }
    }
  }
  return state;
}

/** The same for intent.json: an invalid pending container or endpoint is skipped, not torn down. */
export function vetIntent(intent: Intent, warn: (line: string) => void): Intent {
  const ok = <T>(what: (x: T) => string, check: (x: T) => void) => (x: T) => {
    try {
      check(x);
      return true;
    } catch (e) {
      warn(`intent.json: ${what(x).slice(0, 80)} is invalid (${why(e).slice(0, 200)}); skipped, nothing is done with it`);
      return false;
    }
  };
  return {
    containers: intent.containers.filter(ok((c) => `the container record ${JSON.stringify(c?.name)}`, (c) => checkContainerRecord(c?.name, c))),
    endpoints: (intent.endpoints ?? []).filter(ok((e) => `the endpoint of ${JSON.stringify(e?.container)}`, (e) => {
      checkName('container', e?.container);
      checkEndpointRecord(e.endpoint);
    })),
  };
}
