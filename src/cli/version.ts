// `nslab version`: the client's version and, when nslabd answers on its socket, the daemon's.
import type { Command } from 'commander';
import { answers } from '../client/probe.js';
import { nslabVersion } from '../version.js';
import type { GlobalOptions } from './context.js';
import { json } from './context.js';

/** nslabd's side of `version`, or null when nothing answers (nslab then works in-process). */
async function server(socket: string): Promise<{ version: string; pid: number; stateDir: string } | null> {
  if (!(await answers(socket))) return null;
  const { RemoteEngine } = await import('../client/remote.js');
  const p = await new RemoteEngine(socket, () => undefined).ping();
  return { version: p.version ?? 'unknown (older than 0.1.0)', pid: p.pid, stateDir: p.stateDir };
}

export function versionCommand(program: Command, opts: () => GlobalOptions): void {
  program.command('version').description("show nslab's version and, when it runs, nslabd's (as docker version)")
    .addHelpText('after', '\nExample:\n  nslab version --json')
    .action(async () => {
      const o = opts();
      const client = { version: nslabVersion(), node: process.version };
      const s = await server(o.socket);
      if (o.json) return void process.stdout.write(json({ client, server: s }));
      process.stdout.write(`Client: nslab ${client.version} (node ${client.node})\n`
        + (s ? `Server: nslabd ${s.version} (pid ${s.pid}, state ${s.stateDir}, socket ${o.socket})\n` : `Server: nslabd is not running (nothing answers on ${o.socket}); nslab works in-process\n`));
    });
}
