// What changed, as an event: the shape nslabd streams and `nslab events` prints.

/** One change, as nslabd publishes it and `nslab events --json` prints it (one JSON object a line). */
export interface NslabEvent {
  time: string;
  /** network.created, network.removed, container.created, container.removed, container.connected, container.disconnected, dns.registered, dns.removed (a name nslabd's DNS server answers on a network, or no longer), repaired, gc, reset, state.rebuilt */
  type: string;
  /** The network or container (or what was repaired; for dns.*, the name). */
  name: string;
  detail?: Record<string, unknown>;
}

/** One event as a plain line: "TIME TYPE NAME [detail]" (pure). */
export function eventLine(e: NslabEvent): string {
  return `${e.time} ${e.type} ${e.name}${e.detail ? ` ${JSON.stringify(e.detail)}` : ''}`;
}

/** An event stamped now. */
export function eventOf(type: string, name: string, detail?: Record<string, unknown>): NslabEvent {
  return { time: new Date().toISOString(), type, name, ...(detail ? { detail } : {}) };
}
