// How the doctor reads the host: commands through the runner (read-only), files, nslabd's ping.
// One seam, so unit tests answer with fixtures and the kernel tests run it inside a sandbox.
import { readFileSync } from 'node:fs';
import type { Runner } from '../exec/runner.js';

export interface HostFacts {
  /** Run a read-only command; `code` 127 when the tool is missing. */
  run(argv: readonly string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** A file's text, or undefined when it cannot be read. /proc/sys follows this process's network namespace. */
  read(path: string): string | undefined;
  /** Does nslabd answer its ping on `socket`? */
  daemon(socket: string): Promise<boolean>;
}

/**
 * The real host, read through `runner` (nothing it runs changes the host's namespace); `daemon`
 * asks nslabd (the client's probe: the doctor sits below the programs).
 */
export function hostFacts(runner: Runner, daemon: HostFacts['daemon']): HostFacts {
  return {
    async run(argv, stdin) {
      const o = await runner.run({ kind: 'cmd', file: argv[0]!, args: argv.slice(1), mutates: false, ...(stdin === undefined ? {} : { stdin }) });
      return { code: o.exitCode, stdout: o.stdout, stderr: o.stderr };
    },
    read(path) {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    daemon,
  };
}

/** A sysctl's value as /proc/sys shows it (trimmed), or undefined. */
export const sysctl = (f: HostFacts, key: string): string | undefined => f.read(`/proc/sys/${key.replace(/\./g, '/')}`)?.trim();
