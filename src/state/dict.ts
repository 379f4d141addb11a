// Records keyed by names users choose, made so that a lookup never reaches Object.prototype.

/**
 * A record with no prototype: `d.constructor`, `d.toString` are undefined unless set, and
 * `d.__proto__ = x` makes an ordinary own key (on a plain object it would replace the
 * prototype). The records looked up by a user's name — state.networks and state.containers —
 * are made so where they are created and where they are received as JSON; so are those
 * written under a user's name (aux addresses, views), which are only ever read whole.
 */
export type Dict<T> = Record<string, T>;

/**
 * A new null-prototype record holding the own enumerable entries of `from` (a plain object,
 * say from JSON.parse or yaml, or a list of entries); later entries win. `from` is not changed.
 */
export function dict<T>(from?: Readonly<Record<string, T>> | Iterable<readonly [string, T]>): Dict<T> {
  const d = Object.create(null) as Dict<T>;
  if (from === undefined || from === null) return d;
  const entries = Symbol.iterator in Object(from) ? (from as Iterable<readonly [string, T]>) : Object.entries(from);
  // With no prototype there is no __proto__ setter to hit: every key lands as an own property.
  for (const [k, v] of entries) d[k] = v;
  return d;
}

/** `rec[key]` when `key` is `rec`'s own property, else undefined: for records that may be plain objects. */
export function own<T>(rec: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}
