// nslabd's HTTP limits: request bodies, connection caps and timeouts (statuses: ERROR_KINDS in src/errors.ts).
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Mutation } from '../engine/api.js';
import { clip, NslabError, ValidationError } from '../errors.js';
import { checkArgs } from '../model/schemas.js';

/** Largest request body: the biggest lab's arguments are far smaller. */
export const BODY_MAX_BYTES = 1024 * 1024;
/** Connections held at once; past it the oldest one without a request in flight is closed. */
export const MAX_CONNECTIONS = 128;
/** A client has this long to send its headers, and a little longer for the whole request. */
export const HEADERS_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 15_000;
/** An idle keep-alive connection is closed after this long. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export class BodyTooLarge extends NslabError {
  constructor() {
    super('too-large', `request: the body is larger than ${BODY_MAX_BYTES >> 20} MiB`);
    this.name = 'BodyTooLarge';
  }
}

/**
 * The request body, or BodyTooLarge as soon as it passes `limit` (from Content-Length, or while
 * reading): nothing past the limit is kept in memory.
 */
export async function readBody(req: IncomingMessage, limit = BODY_MAX_BYTES): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A change request's arguments: its body, a JSON array checked against `verb`'s schema (ValidationError, BodyTooLarge). */
export async function readArgs(req: IncomingMessage, verb: Mutation): Promise<unknown[]> {
  const body = await readBody(req);
  let json: unknown;
  try {
    json = body.length ? JSON.parse(body.toString('utf8')) : [];
  } catch (e) {
    throw new ValidationError('request', `the body is not JSON (${clip((e as Error).message, 80)})`);
  }
  if (!Array.isArray(json)) throw new ValidationError('request', 'the body must be a JSON array of arguments');
  return checkArgs(verb, json);
}

/**
 * Bound what clients can hold: headers and requests that arrive too slowly, idle keep-alive
 * connections, and the number of connections (so file descriptors stay free for the engine's
 * commands). At the cap, the oldest connection with no request in flight makes room; when
 * every one has a request in flight, the newcomer is turned away.
 */
export function limitConnections(server: Server, max = MAX_CONNECTIONS): void {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Node closes a connection that sent no complete request after headersTimeout, but only when
  // its periodic check runs: a socket timer closes a silent one on time. During a request the
  // timer is off (a lab's `up` may take minutes); Node re-arms it for keep-alive afterwards.
  const open = new Set<Socket>();
  const busy = new WeakSet<Socket>();
  server.on('request', (req: IncomingMessage, res) => {
    const s = req.socket;
    busy.add(s);
    s.setTimeout(0);
    res.on('close', () => busy.delete(s));
  });
  server.on('connection', (s: Socket) => {
    s.setTimeout(HEADERS_TIMEOUT_MS);
    if (open.size >= max) {
      const idle = [...open].find((o) => !busy.has(o));
      (idle ?? s).destroy();
    }
    open.add(s);
    s.once('close', () => open.delete(s));
  });
}
