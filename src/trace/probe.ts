// Placeholder until the probe lands.
import type { Runner } from '../exec/runner.js';
import type { TraceResult } from './hops.js';
import type { TraceRequest } from './parse-target.js';
import type { ProbeResult } from './probe-types.js';

export async function runProbe(_r: Runner, _q: TraceRequest, _t: TraceResult, _o: { dryRun: boolean }): Promise<ProbeResult> {
  return { commands: [], sent: 'not yet', hits: [], differences: [], cleanup: 'nothing' };
}
