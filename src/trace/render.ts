// A trace as text for a terminal: numbered hops, the rules each hook met in lab words, the kernel read each rests on.
import type { Hop, TraceResult } from './hops.js';
import type { ProbeResult } from './probe-types.js';

const pad = (s: string, n: number) => (s.length >= n ? s + ' ' : s.padEnd(n));

function hopLines(h: Hop, n: string, width: number): string[] {
  const out = [`${pad(n, 4)}${pad(h.at, width)}${h.text}`];
  const indent = ' '.repeat(4 + width);
  for (const t of h.tables ?? []) {
    for (const r of t.rules) out.push(`${indent}  ${pad(t.table, 7)}${r.line}`, `${indent}  ${' '.repeat(7)}→ ${r.words}`);
    const last = t.rules[t.rules.length - 1];
    if (!last || last.words !== t.verdict) out.push(`${indent}  ${pad(t.table, 7)}= ${t.verdict}`);
  }
  if (h.from) for (const f of h.from.split('; ')) out.push(`${indent}  $ ${f}`);
  return out;
}

/** The whole trace (and the probe, when one ran) as text. Pure. */
export function renderTrace(r: TraceResult & { probe?: ProbeResult }): string {
  const width = Math.min(16, Math.max(6, ...[...r.hops, ...r.reply].map((h) => h.at.length + 2)));
  const p = r.packet;
  const what = p.proto === 'icmp' ? 'icmp echo request' : `${p.proto} to port ${p.dport}`;
  const lines = [`trace ${r.src} → ${r.dst}: ${what}, ${p.src} → ${p.dst}`, ''];
  r.hops.forEach((h, i) => lines.push(...hopLines(h, String(i + 1), width)));
  lines.push('', `result: ${r.outcome.text}`);
  if (r.reply.length) {
    lines.push('', 'reply:');
    r.reply.forEach((h, i) => lines.push(...hopLines(h, `r${i + 1}`, width)));
  }
  if (r.probe) lines.push('', ...probeLines(r.probe));
  return lines.join('\n') + '\n';
}

/** The probe: the commands it ran (pasteable), what answered, the rules the kernel says it hit, and where that differs from the paper. */
function probeLines(p: ProbeResult): string[] {
  const out = ['probe (one real packet; the kernel\'s own trace of it):'];
  for (const c of p.commands) out.push(`  $ ${c}`);
  out.push(`  sent: ${p.sent}`);
  if (p.sent.startsWith('not sent')) {
    out.push(`  cleanup: ${p.cleanup}`);
    return out;
  }
  if (p.hits.length) {
    out.push('  rules it hit, in order:');
    for (const h of p.hits) out.push(`    ${pad(`${h.table}/${h.chain}`, 28)}${h.line ?? `policy ${h.verdict}`}${h.words ? `\n    ${' '.repeat(28)}→ ${h.words}` : ''}`);
  } else out.push('  the kernel traced no rule for it');
  out.push(...p.differences.map((d) => `  differs: ${d}`));
  if (!p.differences.length && p.hits.length) out.push('  the probe hit the rules the trace inferred');
  out.push(`  cleanup: ${p.cleanup}`);
  return out;
}
