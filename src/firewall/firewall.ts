// The firewall interface the engine plans against; iptables is the first backend.
import type { Command } from '../exec/command.js';
import type { Runner } from '../exec/runner.js';
import type { ChainDecl, Rule } from './rules.js';
import type { Ruleset } from './ruleset.js';

export interface Firewall {
  /** Read the live ruleset. */
  observe(runner: Runner): Promise<Ruleset>;
  /** One command adding the chains and rules missing from `live`, or none when all exist. */
  ensure(live: Ruleset, chains: readonly ChainDecl[], rules: readonly Rule[]): Command[];
  /** One command deleting those of `rules` present in `live` (absent ones are success). */
  remove(live: Ruleset, rules: readonly Rule[]): Command[];
  /** Commands deleting each rule on its own; used to revert, where absence is tolerated. */
  revert(rules: readonly Rule[]): Command[];
  /**
   * Commands deleting nslab's own chains and the jumps to them, only when they hold nothing
   * but those jumps (every lab in a host shares them); the users' chain only if empty too.
   */
  removeChains(live: Ruleset): Command[];
}
