// An Engine over a FakeHost and a FakeFirewall, for unit tests of its verbs: a temp state dir with a fixed lab id.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import type { Command } from '../../src/exec/command.js';
import type { Outcome } from '../../src/exec/outcome.js';
import { NoFirewall } from '../../src/firewall/none/backend.js';
import { FakeFirewall } from './fake-firewall.js';
import { FakeHost } from './fake-host.js';
import { scratchDir } from './host-files.js';

export const LAB = '0a1b2c3d';

export interface LabOptions extends Partial<Pick<EngineOptions, 'dryRun' | 'firewallBackend' | 'faultAt'>> {
  ipForward?: string;
  failOn?: (cmd: Command) => Partial<Outcome> | undefined;
  conntrack?: boolean;
}

/**
 * A lab: the engine, the fake host it runs against, its firewall, and what it printed. One lab
 * at a time per test (the host paths point at the newest lab's fake root). `again()` is a second
 * engine on the same state dir and host (a dry-run one, say) that shares the records.
 */
export function lab(o: LabOptions = {}) {
  const stateDir = mkdtempSync(join(scratchDir(), 'state-'));
  writeFileSync(join(stateDir, 'lab-id'), LAB + '\n');
  const iptables = new FakeFirewall('iptables');
  const host = new FakeHost({ ipForward: o.ipForward, failOn: o.failOn, firewall: iptables, conntrack: o.conntrack });
  const runner = host.runner;
  const script: string[] = [];
  const notices: string[] = [];
  const make = (dryRun: boolean) => new Engine({
    runner, stateDir, log: pino({ level: 'silent' }), firewalls: { iptables, none: new NoFirewall() },
    notice: (l) => notices.push(l), emit: (s) => script.push(s), firewallBackend: o.firewallBackend, faultAt: o.faultAt, dryRun,
  });
  const engine = make(o.dryRun ?? false);
  const stateFile = join(stateDir, 'state.json');
  return {
    engine, host, runner, iptables, script, notices, stateDir, stateFile,
    /** A dry-run engine on the same state and host. */
    dry: () => make(true),
    /** The lines the runner recorded since the last `reset()` (every change: commands and file ops). */
    lines: () => runner.lines(),
    /** Forget what was recorded so far (and what was printed). */
    reset: () => {
      runner.ran.length = 0;
      script.length = 0;
      notices.length = 0;
    },
    /** state.json as written (undefined: never written). */
    stateText: () => {
      try {
        return readFileSync(stateFile, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export type Lab = ReturnType<typeof lab>;
