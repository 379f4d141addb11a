// What a probe reports: the commands it ran, what came back, the rules the kernel traced, and how they compare with the paper trace.

/** One line of the kernel's trace: a rule that matched (or a chain's policy) for the probe. */
export interface TracedHit {
  table: string;
  chain: string;
  /** The rule as iptables prints it (absent for a policy verdict). */
  line?: string;
  /** ACCEPT, DROP, JUMP:CHAIN, CONTINUE, RETURN… as the kernel reports it. */
  verdict: string;
  words?: string;
}

export interface ProbeResult {
  /** Every command the probe ran, in order, as shell lines (cleanup included). */
  commands: string[];
  /** What the probe itself saw: "answered", "refused", "timed out". */
  sent: string;
  hits: TracedHit[];
  /** Rules on one side only: inferred but not hit, hit but not inferred. */
  differences: string[];
  /** What the cleanup did ("removed the trace rule; iptables-save holds no TRACE rule"). */
  cleanup: string;
}
