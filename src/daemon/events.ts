// nslabd's event bus: every change it makes is told to each `nslab events` client (the event's
// shape and its plain line live in src/model/events.ts, shared with the CLI and the client).
import { EventEmitter } from 'node:events';
import { eventOf, type NslabEvent } from '../model/events.js';

export class EventBus extends EventEmitter<{ event: [NslabEvent] }> {
  /** Tell every listener now (nothing is kept: a client sees what happens while it listens). */
  publish(type: string, name: string, detail?: Record<string, unknown>): void {
    this.emit('event', eventOf(type, name, detail));
  }
}
