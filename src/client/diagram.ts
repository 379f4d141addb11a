// The CLI's way to nslabd's GET /v1/diagram: a user who is not root (a member of group nslab)
// draws the lab through the daemon, which can look inside every namespace.
import type { ErrorJson } from '../errors.js';
import { RemoteError } from './remote.js';

/**
 * The diagram nslabd draws in `format` (text, svg, dot, png, json), as bytes. Reads only; an
 * error nslabd answers is rethrown as it gave it (kind, field, exit code).
 */
export async function remoteDiagram(socket: string, format: string): Promise<Buffer> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path: `/v1/diagram?format=${encodeURIComponent(format)}` }, (res) => {
      const chunks: Buffer[] = [];
      // nslabd gone mid-answer: one line, not an unhandled 'error' event.
      res.on('error', (e) => reject(new RemoteError('unreachable', `nslabd on ${socket} stopped in the middle of its answer: ${e.message}`)));
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) return resolve(body);
        try {
          reject(RemoteError.of((JSON.parse(body.toString('utf8')) as { error: Partial<ErrorJson> }).error));
        } catch {
          reject(new RemoteError('unreachable', `nslabd answered ${res.statusCode} to GET /v1/diagram with something that is not JSON`));
        }
      });
    });
    req.on('error', (e) => reject(new RemoteError('unreachable', `nslabd on ${socket} did not answer: ${e.message}`)));
    req.end();
  });
}
