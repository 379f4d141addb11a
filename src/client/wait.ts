// Waiting for an nslabd that holds the state directory but does not answer yet (not bound, or
// stopped): the CLI waits for it with a message instead of falling back onto its lock.
import { liveDaemon, type DaemonPid } from '../state/daemon-pid.js';
import { answers } from './probe.js';

/** The line the CLI says, once, while it waits. */
export const waitingLine = (d: { pid?: number; socket: string }) => `waiting for nslabd${d.pid ? ` (pid ${d.pid})` : ''} to answer on ${d.socket}…`;

/**
 * The state directory's nslabd once it answers on its socket, waiting as long as that
 * very process lives (saying so once through `say`); undefined at once when no live nslabd is
 * recorded, or as soon as the recorded one dies: its lock died with it, and the caller may work
 * in-process. Reads only.
 */
export async function waitForDaemon(stateDir: string, say: (line: string) => void, pollMs = 100): Promise<DaemonPid | undefined> {
  let told = false;
  for (;;) {
    const d = liveDaemon(stateDir);
    if (!d) return undefined;
    if (await answers(d.socket)) return d;
    if (!told) say(waitingLine(d));
    told = true;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
