#!/usr/bin/env node
// nslabd: the root daemon. Serves nslab's engine on a Unix socket; SIGTERM stops it (the lab
// stays up), SIGHUP restores the recorded state in the kernel.
import { mkdirSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { exitCodeOf } from '../errors.js';
import { checkIp } from '../engine/validate.js';
import { makeLogger } from '../log.js';
import { daemonOptions, validate } from '../model/schemas.js';
import type { FirewallBackendName } from '../state/types.js';
import { Daemon } from './daemon.js';
import { parseHttpAddress, type HttpAddress } from './diagram-routes.js';
import { refuseNonSocket } from './socket.js';

/** Bad usage: one line, exit 2, nothing touched. */
function usage(e: unknown): never {
  if (!(e instanceof CommanderError)) process.stderr.write(`nslabd: ${(e as Error).message}\n`);
  process.exit(e instanceof CommanderError ? (e.exitCode === 0 ? 0 : 2) : exitCodeOf(e));
}

let o: { socket: string; stateDir: string; logLevel: string; firewallBackend: FirewallBackendName; dns?: string[]; http?: string };
let http: HttpAddress | undefined;
try {
  const cmd = new Command('nslabd')
    .description("nslab's daemon: HTTP/JSON on a Unix socket (mode 0660, group nslab)")
    .option('--socket <path>', 'socket path', process.env.NSLAB_SOCKET ?? '/run/nslab/nslab.sock')
    .option('--state-dir <dir>', 'state directory', process.env.NSLAB_STATE_DIR ?? '/var/lib/nslab')
    .option('--log-level <level>', 'log level', process.env.NSLAB_LOG_LEVEL ?? 'info')
    .option('--firewall-backend <name>', 'who writes the rules of networks created without naming one: iptables, or none (the firewall is managed by hand)', process.env.NSLAB_FIREWALL_BACKEND ?? 'iptables')
    .option('--http <addr:port>', 'also serve a read-only page of the diagram for a browser on this TCP address (e.g. 127.0.0.1:8081; off by default; no authentication: keep it on loopback unless the LAN may see the lab)')
    .option('--dns <ip>', "upstream of the embedded DNS server for containers without --dns (repeatable; default: the host's resolvers)", (v: string, a: string[]) => [...a, v], [] as string[])
    .exitOverride()
    .parse(process.argv);
  o = validate(daemonOptions, cmd.opts(), ([f]) => String(f).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  o.dns = (o.dns ?? []).map((d) => checkIp('dns', d));
  http = o.http === undefined ? undefined : parseHttpAddress(o.http);
  refuseNonSocket(o.socket);
} catch (e) {
  usage(e);
}

try {
  mkdirSync(o.stateDir, { recursive: true, mode: 0o700 });
} catch (e) {
  usage(new Error(`--state-dir: cannot create ${o.stateDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`));
}
const log = await makeLogger({ level: o.logLevel, transcriptDir: o.stateDir, name: 'nslabd' });
const daemon = new Daemon({ socket: o.socket, stateDir: o.stateDir, log, firewallBackend: o.firewallBackend, dns: o.dns, http });
try {
  await daemon.start();
} catch (e) {
  log.fatal((e as Error).message);
  process.stderr.write(`nslabd: ${(e as Error).message}\n`);
  process.exit(exitCodeOf(e));
}
const stop = async () => {
  await daemon.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('SIGHUP', () => void daemon.reconcile('SIGHUP').catch((e: Error) => log.error(e.message)));
