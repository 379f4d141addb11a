// Picks a subnet for a network created without --subnet: Docker's default pools, skipping overlaps.
import { bigToIp, ipToBig, overlaps, parseCidr4, type Cidr4 } from './cidr.js';

type Range = Pick<Cidr4, 'first' | 'last'>;

/** Candidates in order: 172.17.0.0/16 … 172.31.0.0/16, then the /20s of 192.168.0.0/16. */
export function* candidates(): Generator<string> {
  for (let b = 17; b <= 31; b++) yield `172.${b}.0.0/16`;
  const base = ipToBig('192.168.0.0');
  for (let i = 0n; i < 16n; i++) yield `${bigToIp(base + i * 4096n)}/20`;
}

/** The first candidate that overlaps none of `taken`, or undefined when the pools are full. */
export function pickSubnet(taken: readonly Range[]): Cidr4 | undefined {
  for (const text of candidates()) {
    const c = parseCidr4(text) as Cidr4;
    if (!taken.some((t) => overlaps(c, t))) return c;
  }
  return undefined;
}
