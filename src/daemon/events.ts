// What changed, as events: nslabd tells every `nslab events` client.
import { EventEmitter } from 'node:events';

export interface NslabEvent {
  time: string;
  /** network.created, network.removed, container.created, container.removed, container.connected, container.disconnected, repaired, gc, reset */
  type: string;
  /** The network or container (or what was repaired). */
  name: string;
  detail?: Record<string, unknown>;
}

export class EventBus extends EventEmitter<{ event: [NslabEvent] }> {
  publish(type: string, name: string, detail?: Record<string, unknown>): void {
    this.emit('event', { time: new Date().toISOString(), type, name, ...(detail ? { detail } : {}) });
  }
}

/** One event as a plain line: "TIME TYPE NAME [detail]". */
export function eventLine(e: NslabEvent): string {
  return `${e.time} ${e.type} ${e.name}${e.detail ? ` ${JSON.stringify(e.detail)}` : ''}`;
}
