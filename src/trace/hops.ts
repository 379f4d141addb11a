// What a trace says: its hops in order (each from one kernel answer), where it ended, and the way back.
import type { Hit, Hook, Table } from './netfilter-eval.js';
import type { Proto } from './parse-target.js';

export type HopKind = 'route' | 'veth' | 'bridge' | 'netfilter' | 'deliver' | 'leave' | 'stop' | 'note';

/** One rule met on the way, with its lab words. */
export interface RuleStep extends Hit {
  words: string;
}

export interface Hop {
  kind: HopKind;
  /** Where it happens: a container's namespace, "host", a bridge. */
  at: string;
  /** The lab words. */
  text: string;
  /** The read that answered it (a shell line), when one did. */
  from?: string;
  /** netfilter hops: the hook, each table's rules met and its verdict. */
  hook?: Hook;
  tables?: Array<{ table: Table; rules: RuleStep[]; verdict: string }>;
}

export interface TraceResult {
  src: string;
  dst: string;
  /** The packet as it leaves SRC. */
  packet: { src: string; dst: string; proto: Proto; dport?: number };
  hops: Hop[];
  /** delivered (to a container, the host, or out to the world), dropped, or no-route. */
  outcome: { kind: 'delivered' | 'left' | 'dropped' | 'no-route' | 'unknown'; text: string };
  /** The reply's way back (conntrack's un-NAT, the rules it meets), when the packet arrived. */
  reply: Hop[];
  /** Every read, in order, for whoever wants to repeat them by hand. */
  commands: string[];
}
