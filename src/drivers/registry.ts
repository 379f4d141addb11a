// The network drivers by name: a new driver is a folder beside bridge/ and one line here.
import { ValidationError } from '../errors.js';
import type { DriverName, NetworkRecord } from '../state/types.js';
import { bridgeDriver } from './bridge/driver.js';
import type { NetworkDriver } from './driver.js';

const DRIVERS: { readonly [D in DriverName]: NetworkDriver<Extract<NetworkRecord, { driver: D }>> } = {
  bridge: bridgeDriver,
};

export const DRIVER_NAMES = Object.keys(DRIVERS) as DriverName[];

/** The driver of a recorded network. */
export function driverOf<N extends NetworkRecord>(n: N): NetworkDriver<N> {
  return DRIVERS[n.driver] as unknown as NetworkDriver<N>;
}

/** The driver called `name` (checked by checkDriverName). */
export const driverByName = (name: DriverName): NetworkDriver => DRIVERS[name] as unknown as NetworkDriver;

/** A driver's name, or a ValidationError naming `field` (one not built yet is refused, exit 2). */
export function checkDriverName(field: string, v: unknown): DriverName {
  if (typeof v === 'string' && Object.hasOwn(DRIVERS, v)) return v as DriverName;
  throw new ValidationError(field, `"${String(v)}" is not supported yet (only ${DRIVER_NAMES.join(', ')})`);
}
