// The TRACE rule of `nslab trace --probe` left behind when its process died (SIGKILL, a crash):
// found by its comment in raw PREROUTING, removed by gc and reset.
import { readFileSync } from 'node:fs';
import { parseTraceComment } from './names.js';
import type { Rule } from './rules.js';
import { commentOf, type Ruleset } from './save.js';

/** Whether process `pid` is still an nslab (a probe in progress): its command line names nslab. */
export function probeRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nslab');
  } catch {
    return false;
  }
}

/**
 * raw PREROUTING's `-j TRACE` rules commented nslab-trace:PID whose process `running` says is
 * gone, with the PID. A probe still running keeps its rule (it removes it itself).
 */
export function staleTraceRules(live: Ruleset, running: (pid: number) => boolean = probeRunning): Array<{ rule: Rule; pid: number }> {
  const out: Array<{ rule: Rule; pid: number }> = [];
  for (const w of live.rules.get('raw') ?? []) {
    const pid = parseTraceComment(commentOf(w));
    if (w[1] === 'PREROUTING' && pid !== undefined && w[w.length - 1] === 'TRACE' && !running(pid)) out.push({ rule: { table: 'raw', chain: 'PREROUTING', spec: w.slice(2) }, pid });
  }
  return out;
}
