// Pure IPv4 address allocator: picks the next free host address of a subnet (no I/O).
import { NslabError } from '../errors.js';
import { bigToIp, ipToBig, type Cidr4 } from './cidr.js';

export interface AllocRequest {
  readonly subnet: Cidr4;
  /** Automatic addresses come only from here (defaults to the subnet). */
  readonly range?: Cidr4;
  /** Addresses never handed out: the gateway, aux addresses. */
  readonly reserved: ReadonlySet<string>;
  /** Addresses in use by endpoints. */
  readonly used: ReadonlySet<string>;
}

export class ExhaustedError extends NslabError {
  constructor(subnet: string) {
    super('exhausted', `address range exhausted: no free address left in ${subnet}`);
    this.name = 'ExhaustedError';
  }
}

/**
 * The lowest free host address in the range, never the subnet's network or broadcast
 * address, the reserved ones or the used ones. Deterministic: same inputs, same answer.
 */
export function allocate(req: AllocRequest): string {
  const r = req.range ?? req.subnet;
  const lo = r.first > req.subnet.first ? r.first : req.subnet.first + 1n;
  const hi = r.last < req.subnet.last ? r.last : req.subnet.last - 1n;
  for (let n = lo; n <= hi; n++) {
    const ip = bigToIp(n);
    if (!req.reserved.has(ip) && !req.used.has(ip)) return ip;
  }
  throw new ExhaustedError(r.text);
}

/** Why a requested static address cannot be used, or undefined when it can. */
export function checkStatic(req: AllocRequest, ip: string): string | undefined {
  const n = ipToBig(ip);
  if (n < req.subnet.first || n > req.subnet.last) return `${ip} is outside the subnet ${req.subnet.text}`;
  if (n === req.subnet.first) return `${ip} is the network address of ${req.subnet.text}`;
  if (n === req.subnet.last) return `${ip} is the broadcast address of ${req.subnet.text}`;
  if (req.reserved.has(ip)) return `${ip} is reserved (gateway or aux address)`;
  if (req.used.has(ip)) return `${ip} is already in use on this network`;
  return undefined;
}
