// Is nslabd there? One connect on its Unix socket, used by the CLI (nslabd or in-process?), by
// nslabd before it listens (another one already answers?) and by the tests' sandbox.
import { existsSync } from 'node:fs';

/**
 * Does something answer on this socket? (A daemon, or a stale file left by a dead one: false.)
 * Reads nothing and changes nothing; a probe that hears nothing for `timeoutMs` says false.
 */
export async function answers(path: string, timeoutMs = 500): Promise<boolean> {
  // No socket file, no daemon: a command then starts without loading node:net (~10 ms).
  if (!existsSync(path)) return false;
  const { connect } = await import('node:net');
  return new Promise((res) => {
    const s = connect(path);
    const done = (v: boolean) => {
      s.destroy();
      res(v);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(timeoutMs, () => done(false));
  });
}

/**
 * Does nslabd answer its ping (GET /v1/ping) within `timeoutMs`? A daemon that is stopped
 * (SIGSTOP) still accepts connections, the kernel queueing them: only an answer tells it runs.
 */
export async function pings(path: string, timeoutMs: number): Promise<boolean> {
  const { request } = await import('node:http');
  return new Promise((res) => {
    const req = request({ socketPath: path, path: '/v1/ping', timeout: timeoutMs }, (r) => {
      r.resume();
      req.destroy();
      res(true);
    });
    req.on('timeout', () => req.destroy());
    // A check on the side: it never keeps the CLI from exiting once its own request is done.
    req.on('socket', (s) => s.unref());
    req.on('error', () => res(false));
    req.end();
  });
}
