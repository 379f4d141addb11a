// IPv4 arithmetic the trace needs (parse, prefix match), small and dependency-free: it runs on every rule.

/** The address as a 32-bit number, or undefined when `s` is not a dotted quad. */
export function ip4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** Is `addr` inside `cidr` ("a.b.c.d/n", or a bare address meaning /32)? undefined when either is not IPv4. */
export function inCidr(addr: string, cidr: string): boolean | undefined {
  const [base, len] = cidr.split('/');
  const a = ip4(addr), b = ip4(base ?? '');
  const n = len === undefined ? 32 : Number(len);
  if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return undefined;
  if (n === 0) return true;
  const mask = (0xffffffff << (32 - n)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}
