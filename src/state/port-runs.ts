// Published ports as state.json holds them: a range as one entry with a count, not one per port.
import type { ContainerRecord, PortRecord, State } from './types.js';

/** Stored form of mappings hostPort+i → containerPort+i for i < count (no count: one mapping). */
export interface PortRun extends PortRecord {
  count?: number;
}

const isInt = (x: unknown): x is number => Number.isInteger(x);

/** Whether b continues the run that a (the last mapping of it) ends: same protocol and host address, both ports one higher. */
const continues = (a: PortRecord, b: PortRecord) =>
  a.protocol === b.protocol && a.hostIp === b.hostIp && b.hostPort === a.hostPort + 1 && b.containerPort === a.containerPort + 1;

/**
 * `ports` with every run of consecutive mappings written as its first mapping and a count, so
 * a 500-port range is one entry of state.json instead of 500 (the file every command reads,
 * and the one every change fsyncs). Order is kept; pure.
 */
export function packPorts(ports: readonly PortRecord[]): PortRun[] {
  const out: PortRun[] = [];
  let last: PortRecord | undefined;
  for (const p of ports) {
    const run = out[out.length - 1];
    if (run && last && continues(last, p)) run.count = (run.count ?? 1) + 1;
    else out.push({ ...p });
    last = p;
  }
  return out;
}

/**
 * The mappings a stored list holds, each run expanded. An entry whose count is not a whole
 * number from 1 that keeps both ports within 65535 is returned as it is (count included), for
 * the record checks to refuse with the field named. What is not a list is returned as it is. Pure.
 */
export function unpackPorts(stored: unknown): unknown {
  if (!Array.isArray(stored) || !stored.some((p) => typeof p === 'object' && p !== null && 'count' in p)) return stored;
  return stored.flatMap((p: unknown) => {
    if (typeof p !== 'object' || p === null || !('count' in p)) return [p];
    const { count, ...one } = p as PortRun;
    const ok = isInt(count) && count >= 1 && isInt(one.hostPort) && isInt(one.containerPort) &&
      one.hostPort + count - 1 <= 65535 && one.containerPort + count - 1 <= 65535;
    if (!ok) return [p];
    const { protocol, hostIp, hostPort, containerPort } = one;
    const out: PortRecord[] = new Array(count);
    // Object literals of one shape, not spreads: a 500-port run is expanded on every load.
    for (let i = 0; i < count; i++) out[i] = hostIp === undefined ? { protocol, hostPort: hostPort + i, containerPort: containerPort + i } : { protocol, hostIp, hostPort: hostPort + i, containerPort: containerPort + i };
    return out;
  });
}

const mapContainers = (s: State, f: (c: ContainerRecord) => ContainerRecord): State => ({
  ...s,
  containers: Object.fromEntries(Object.entries(s.containers).map(([k, c]) => [k, typeof c === 'object' && c !== null && Array.isArray(c.ports) ? f(c) : c])),
});

/** `s` as state.json stores it: each container's ports packed (packPorts). Pure. */
export const packState = (s: State): State => mapContainers(s, (c) => ({ ...c, ports: packPorts(c.ports) }));

/** A state read from state.json with each container's port runs expanded (unpackPorts). Pure. */
export const unpackState = (s: State): State => mapContainers(s, (c) => ({ ...c, ports: unpackPorts(c.ports) as PortRecord[] }));
