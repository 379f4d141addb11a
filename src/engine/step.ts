// A step of a plan: what it does in the lab's words, the ops that do it and undo it, what it mends.
import type { Op } from '../exec/command.js';

/**
 * The phases of every plan, in the order they run; within a phase, steps keep plan order
 * (what lets the same phase of N containers share one batch). Making: the network's host
 * side, then /etc/netns files, namespaces, links on the host, configuration inside, and the
 * retirement of an earlier release's copies. Removing: what holds the objects to delete
 * (rules, veths of a shared namespace), namespaces (their veths go along), files, leftover
 * links, bridges, rules no record explains, and last what every network shares.
 */
export const PHASES = [
  'network', 'files', 'netns', 'links', 'inside', 'retire',
  'unplug', 'drop-netns', 'drop-files', 'drop-links', 'drop-bridges', 'drop-rules', 'drop-shared',
] as const;
export type Phase = (typeof PHASES)[number];

/** One difference between the records and the kernel: what a step mends when check plans it. */
export interface Finding {
  /** link, address, route, rule, netns, file, sysctl. */
  readonly kind: string;
  /** What is wrong, in the lab's words ("veth nv-c-0 (eth0 on lab) is missing"). */
  readonly what: string;
}

export interface Step {
  /** Stable id, e.g. "container4/veth". */
  readonly id: string;
  /** One sentence for the narration and for `explain`. */
  readonly description: string;
  /** Its phase's name, and the rank the scheduler sorts by (the phase's place in PHASES). */
  readonly phaseName: Phase;
  readonly phase: number;
  readonly apply: readonly Op[];
  /** Undo, tolerant of absence; built by the same function as `apply` so they cannot drift. */
  readonly revert: readonly Op[];
  /**
   * What is missing or wrong when this step is planned against the observed kernel: the
   * planner that makes an object also says how its absence reads, so check reports exactly
   * the steps a plan would still run.
   */
  readonly findings: readonly Finding[];
}

export function step(id: string, description: string, phase: Phase, apply: Op[], revert: Op[] = [], findings: Finding[] = []): Step {
  return { id, description, phaseName: phase, phase: PHASES.indexOf(phase), apply, revert, findings };
}

/** The same step, saying what it mends (for steps planned only because something is missing). */
export const mending = (s: Step, ...findings: Finding[]): Step => ({ ...s, findings: [...s.findings, ...findings] });

/** Order steps by phase, keeping plan order inside a phase (what lets N containers batch). */
export function byPhase(steps: readonly Step[]): Step[] {
  return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.phase - b.s.phase || a.i - b.i).map((x) => x.s);
}
