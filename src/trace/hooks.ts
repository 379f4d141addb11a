// One netfilter hook passed on paper, turned into a hop with each table's rules in lab words.
import type { Hop } from './hops.js';
import { hostFacts, networkOf, type HostView } from './host.js';
import { passHook, type Hook, type HookResult } from './netfilter-eval.js';
import type { Packet } from './packet.js';
import { hitWords, verdictWords, type WordsContext } from './words.js';

const HOOK_WORDS: Record<Hook, string> = {
  PREROUTING: 'PREROUTING (as it arrives, before routing)',
  INPUT: 'INPUT (for the host itself)',
  FORWARD: 'FORWARD (passing through the host)',
  OUTPUT: 'OUTPUT (sent by the host)',
  POSTROUTING: 'POSTROUTING (as it leaves)',
};

/** Pass `p` through `hook`: the hop to show (absent when no table has that hook) and the result. */
export function hookHop(h: HostView, hook: Hook, p: Packet): { hop?: Hop; result: HookResult; dropped?: string } {
  const result = passHook(h.rules, hook, p, hostFacts(h));
  const ctx: WordsContext = { packet: p, networkOf: (i) => networkOf(h, i) };
  const dropped = result.dropped ? verdictWords(result.dropped, ctx) : undefined;
  if (!result.tables.length) return { result };
  const tables = result.tables.map((t) => ({
    table: t.table,
    rules: t.hits.map((x) => ({ ...x, words: hitWords(x, ctx) })),
    verdict: verdictWords(t.verdict, ctx),
  }));
  const end = dropped ? `dropped: ${dropped}` : rewriteWords(p, result.packet);
  return { hop: { kind: 'netfilter', at: 'host', hook, text: `${HOOK_WORDS[hook]}${end ? `: ${end}` : ''}`, tables }, result, dropped };
}

/** What NAT changed in the packet, in words ("" when nothing). */
function rewriteWords(before: Packet, after: Packet): string {
  const out: string[] = [];
  if (before.dst !== after.dst || before.dport !== after.dport) out.push(`destination ${before.dst}${before.dport ? `:${before.dport}` : ''} → ${after.dst}${after.dport ? `:${after.dport}` : ''}`);
  if (before.src !== after.src) out.push(`source ${before.src} → ${after.src}`);
  return out.join(', ');
}
