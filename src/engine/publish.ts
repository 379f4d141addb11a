// Docker's -p/--publish: the text form parsed into single mappings, and the conflicts between them.
import { ConflictError, ValidationError } from '../errors.js';
import type { ContainerRecord, PortRecord } from '../state/types.js';
import { checkIp } from './validate.js';

/** The most single mappings one container may publish (a range expands to one each). */
export const MAX_PORTS = 65535;

function port(field: string, text: string, spec: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new ValidationError(field, `"${spec}": "${text}" is not a port number`);
  const n = Number(text);
  if (n < 1 || n > 65535) throw new ValidationError(field, `"${spec}": port ${n} is outside 1-65535`);
  return n;
}

/** "8080" or "8080-8090" → [first, last]; a range must not run backwards. */
function range(field: string, text: string, spec: string): [number, number] {
  const [a, b, ...rest] = text.split('-');
  if (rest.length || a === undefined) throw new ValidationError(field, `"${spec}": "${text}" is not a port or a range`);
  const first = port(field, a, spec);
  const last = b === undefined ? first : port(field, b, spec);
  if (last < first) throw new ValidationError(field, `"${spec}": the range ${text} runs backwards`);
  return [first, last];
}

/**
 * One `-p` value, `[HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp]`, as single mappings (a
 * range gives one per port, both ranges of the same length). The host address may be any
 * IPv4 address (the kernel decides whether traffic to it arrives, as with Docker); 0.0.0.0
 * is every address and is recorded as none. Pure; a ValidationError naming `field` otherwise.
 */
export function parsePublish(spec: string, field = 'publish'): PortRecord[] {
  if (typeof spec !== 'string' || spec === '') throw new ValidationError(field, 'is empty: give [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]');
  const [body, proto, ...extra] = spec.split('/');
  if (extra.length) throw new ValidationError(field, `"${spec}" has more than one "/"`);
  const protocol = proto === undefined ? 'tcp' : proto.toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') throw new ValidationError(field, `"${spec}": protocol "${proto}" is not tcp or udp`);
  const parts = body!.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new ValidationError(field, `"${spec}" is not [HOSTIP:]HOSTPORT:PORT (a random host port, -p PORT, is not supported)`);
  }
  const [hostIpText, hostText, ctrText] = parts.length === 3 ? parts : [undefined, ...parts];
  let hostIp: string | undefined;
  if (hostIpText !== undefined) {
    if (hostIpText === '') throw new ValidationError(field, `"${spec}": the host address before ":" is empty (a random host port is not supported)`);
    checkIp(field, hostIpText);
    hostIp = hostIpText.split('.').map(Number).join('.');
    if (hostIp === '0.0.0.0') hostIp = undefined;
  }
  if (hostText === '') throw new ValidationError(field, `"${spec}": the host port is empty (a random host port is not supported)`);
  const [h1, h2] = range(field, hostText!, spec);
  const [c1, c2] = range(field, ctrText!, spec);
  if (h2 - h1 !== c2 - c1) throw new ValidationError(field, `"${spec}": the host range ${hostText} and the container range ${ctrText} are not the same length`);
  const out: PortRecord[] = [];
  for (let i = 0; i <= h2 - h1; i++) out.push({ protocol, ...(hostIp ? { hostIp } : {}), hostPort: h1 + i, containerPort: c1 + i });
  return out;
}

/** "0.0.0.0:8080/tcp" or "127.0.0.1:8080/udp": how a mapping's host side reads in messages. */
export const hostSide = (p: Pick<PortRecord, 'hostIp' | 'hostPort' | 'protocol'>) => `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}/${p.protocol}`;

/** Do two mappings claim the same host port (same protocol and port; same address, or either is the wildcard)? */
export const clash = (a: PortRecord, b: PortRecord) =>
  a.protocol === b.protocol && a.hostPort === b.hostPort && (a.hostIp === undefined || b.hostIp === undefined || a.hostIp === b.hostIp);

/** A mapping's protocol and host port as one number (no string made per mapping). */
const keyOf = (p: PortRecord) => (p.protocol === 'udp' ? 65536 : 0) + p.hostPort;

/** A container's ports (records written before ports existed have none). */
export const portsOf = (c: Pick<ContainerRecord, 'ports'>): PortRecord[] => c.ports ?? [];

/**
 * Refuse (exit 2, before anything changes) a mapping of `fresh` whose host port another
 * mapping already claims: one of the same container, of another new one, or of any recorded
 * container. Keyed on protocol and port, so a check stays linear in the number of mappings.
 */
export function checkPortConflicts(recorded: Iterable<ContainerRecord>, fresh: readonly ContainerRecord[]): void {
  const claims = new Map<number, Array<{ p: PortRecord; who: string }>>();
  const claim = (p: PortRecord, who: string, isNew: boolean) => {
    const key = keyOf(p);
    const list = claims.get(key) ?? [];
    const other = isNew ? list.find((x) => clash(x.p, p)) : undefined;
    if (other) {
      const same = other.who === who;
      throw new ConflictError(`publish: host port ${hostSide(p)} of ${who} ${same ? 'is given twice (or in overlapping ranges)' : `is already published by ${other.who} (${hostSide(other.p)})`}`);
    }
    list.push({ p, who });
    claims.set(key, list);
  };
  const freshNames = new Set(fresh.map((c) => c.name));
  // Only the recorded mappings a new one could clash with are kept: a host with 500 published
  // ports allocates nothing for them when one more is published (see the bench's publish figure).
  const wanted = new Set(fresh.flatMap((c) => portsOf(c).map(keyOf)));
  for (const c of recorded) if (!freshNames.has(c.name)) for (const p of portsOf(c)) if (wanted.has(keyOf(p))) claim(p, c.name, false);
  for (const c of fresh) for (const p of portsOf(c)) claim(p, c.name, true);
}
