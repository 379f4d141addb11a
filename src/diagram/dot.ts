// The diagram as Graphviz DOT: a cluster per namespace (the host's holds the bridges and host ends),
// a colour per network, veth pairs as edges, and what nslab did not make drawn dashed and grey.
import { ownerTag, type Owner, type Topology } from '../topology/model.js';
import { group, masqueradeWords, portWords, vxlanWords } from './view.js';

/** Line and fill colours, one pair per bridge in turn (colour-blind friendly: Okabe–Ito, lightened). */
const PALETTE: ReadonlyArray<readonly [string, string]> = [
  ['#0072B2', '#E1EEF8'], ['#009E73', '#DDF3EC'], ['#D55E00', '#FBE7DA'], ['#CC79A7', '#F7E6EF'],
  ['#E69F00', '#FCF0D6'], ['#56B4E9', '#E4F3FC'], ['#7A6A00', '#F2EFD6'], ['#555555', '#EEEEEE'],
];
const FOREIGN = ['#8A8F98', '#F3F4F6'] as const;
/**
 * One family Graphviz has metrics for (a list makes it fall back to Times' narrower ones and the
 * text overflows its boxes); svg.ts adds fallbacks to the SVG for viewers without it.
 */
export const FONT = 'DejaVu Sans';

/** A DOT double-quoted string. Pure. */
export const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

const label = (lines: ReadonlyArray<string | false | undefined>, o?: Owner) =>
  q([...lines.filter(Boolean), ...(o && ownerTag(o) ? [`(${ownerTag(o)})`] : [])].join('\n'));

/** Attributes of an object: its network's colours, or a grey dashed outline when it is not this lab's. */
const look = (o: Owner, [line, fill]: readonly [string, string]) =>
  (o.nslab && o.thisLab ? `color=${q(line)}, fillcolor=${q(fill)}` : `color=${q(FOREIGN[0])}, fillcolor=${q(fill)}, style="rounded,filled,dashed"`);

/** The diagram of `t` as DOT (`dot -Tsvg` draws it). Pure. */
export function renderDot(t: Topology): string {
  const g = group(t);
  const out: string[] = [];
  const colourOf = new Map<string, readonly [string, string]>();
  g.blocks.forEach((b, i) => colourOf.set(b.br.name, PALETTE[i % PALETTE.length]!));
  const nsColour = (ns: string) => {
    const b = g.blocks.find((x) => x.rows.some((r) => r.netns === ns));
    return b ? colourOf.get(b.br.name)! : FOREIGN;
  };
  const id = (ns: string | undefined, name: string) => q(`${ns ?? ''}/${name}`);
  out.push('digraph nslab {');
  out.push(`  graph [rankdir=TB, fontname=${q(FONT)}, fontsize=12, bgcolor="white", pad=0.3, nodesep=0.35, ranksep=0.7, newrank=true, labelloc=t, label=${q('nslab diagram: the live kernel')}];`);
  out.push(`  node [fontname=${q(FONT)}, fontsize=11, shape=box, style="rounded,filled", fillcolor="white", penwidth=1.3, margin="0.15,0.07"];`);
  out.push(`  edge [fontname=${q(FONT)}, fontsize=9, arrowhead=none, penwidth=1.6, fontcolor="#444444"];`);
  // The host: its uplinks, bridges, host ends and NAT.
  const gw = t.host.gateway;
  out.push(`  subgraph cluster_host {`);
  out.push(`    label=${q(`host (the namespace nslab runs in)${gw ? `\ndefault via ${gw.via ?? '-'}${gw.dev ? ` dev ${gw.dev}` : ''}` : ''}`)}; style="rounded,filled"; fillcolor="#F8FAFC"; color="#94A3B8";`);
  for (const i of t.host.ifaces.filter((x) => x.addrs.length || x.up)) out.push(`    ${id(undefined, i.name)} [label=${label([i.name, ...i.addrs])}, shape=box, fillcolor="#FFFFFF", color="#475569"];`);
  for (const b of g.blocks) {
    const br = b.br;
    const c = colourOf.get(br.name)!;
    const nat = b.masquerades.map((m) => `NAT: ${masqueradeWords(m)}${ownerTag(m.owner) ? ` (${ownerTag(m.owner)})` : ''}`);
    out.push(`    ${id(undefined, br.name)} [label=${label([`bridge ${br.name}${br.up ? '' : ' (down)'}`, br.network && `network ${br.network}`, ...br.addrs.map((a) => `gateway ${a}`), ...nat], br.owner)}, penwidth=2.2, fontsize=12, ${look(br.owner, c)}];`);
    for (const r of b.rows) {
      out.push(`    ${id(undefined, r.port)} [label=${label([r.port, r.note])}, fontsize=9, ${look(r.owner, c)}];`);
      out.push(`    ${id(undefined, br.name)} -> ${id(undefined, r.port)} [color=${q(c[0])}];`);
    }
  }
  for (const v of g.hostVeths) {
    const near = v.a.netns ? v.b! : v.a;
    out.push(`    ${id(undefined, near.name)} [label=${label([near.name, ...near.addrs])}, fontsize=10, ${look(v.owner, FOREIGN)}];`);
  }
  for (const m of g.masquerades) out.push(`    ${q(`nat/${m.rule}`)} [shape=note, label=${label([`NAT: ${masqueradeWords(m)}`], m.owner)}, ${look(m.owner, ['#64748B', '#FFFFFF'])}];`);
  for (const p of g.ports) out.push(`    ${q(`port/${portWords(p, true)}`)} [shape=cds, label=${label([`publishes ${portWords(p, true)}`], p.owner)}, ${look(p.owner, ['#64748B', '#FFFFFF'])}];`);
  for (const x of g.vxlans.filter((d) => !d.netns)) out.push(`    ${id(undefined, x.name)} [label=${label([x.name, vxlanWords(x)], x.owner)}, ${look(x.owner, ['#7C3AED', '#EDE9FE'])}];`);
  const drawn = [...t.host.ifaces.filter((i) => i.addrs.length || i.up).map((i) => i.name), ...g.hostVeths.map((v) => (v.a.netns ? v.b!.name : v.a.name))];
  for (const p of g.parents) if (!drawn.includes(p.parent) && !p.parent.includes('@') && !p.parent.startsWith('ifindex')) out.push(`    ${id(undefined, p.parent)} [label=${label([`${p.parent}`, `${p.children[0]!.kind} parent`])}, color="#475569"];`);
  out.push('  }');
  // Each namespace linked to the host: a cluster holding its interfaces.
  let n = 0;
  for (const ns of t.namespaces.filter((x) => x.attached && !x.isHost)) {
    const c = nsColour(ns.name);
    out.push(`  subgraph cluster_ns${n++} {`);
    const head = [`namespace ${ns.name}`, ...ns.aliases.map((a) => `also ${a}`), ns.gateway && `default via ${ns.gateway.via ?? '-'}`];
    out.push(`    label=${label(head, ns.owner)}; labelloc=b; style=${ns.owner.nslab && ns.owner.thisLab ? '"rounded,filled"' : '"rounded,filled,dashed"'}; color=${q(ns.owner.nslab && ns.owner.thisLab ? c[0] : FOREIGN[0])}; fillcolor=${q(c[1])};`);
    for (const i of ns.ifaces) {
      const published = t.ports.filter((p) => i.addrs.some((a) => a.split('/')[0] === p.toIp)).map((p) => `publishes ${portWords(p)}`);
      out.push(`    ${id(ns.name, i.name)} [label=${label([i.name, ...i.addrs, ...published])}, fillcolor="white", color=${q(c[0])}];`);
    }
    out.push('  }');
  }
  // veth pairs: the host end (or bridge port) to the namespace's end.
  for (const b of g.blocks) {
    for (const r of b.rows.filter((x) => x.netns && x.inner)) out.push(`  ${id(undefined, r.port)} -> ${id(r.netns, r.inner!)} [color=${q(colourOf.get(b.br.name)![0])}, penwidth=2.4, label=" veth"];`);
  }
  for (const v of g.hostVeths.filter((x) => x.b)) {
    const [near, far] = v.a.netns ? [v.b!, v.a] : [v.a, v.b!];
    if (far.netns && t.namespaces.some((x) => x.name === far.netns && x.attached)) out.push(`  ${id(undefined, near.name)} -> ${id(far.netns, far.name)} [color=${q(FOREIGN[0])}, penwidth=2.4, label=" veth"];`);
  }
  for (const p of g.ports) {
    const to = t.namespaces.find((x) => x.ifaces.some((i) => i.addrs.some((a) => a.split('/')[0] === p.toIp)));
    const i = to?.ifaces.find((x) => x.addrs.some((a) => a.split('/')[0] === p.toIp));
    if (to && i && to.attached) out.push(`  ${q(`port/${portWords(p, true)}`)} -> ${id(to.name, i.name)} [style=dashed, arrowhead=normal, label=" DNAT"];`);
  }
  for (const p of g.parents) {
    for (const c of p.children) {
      if (c.end.netns && !t.namespaces.some((x) => x.name === c.end.netns && x.attached)) continue;
      if (!p.parent.includes('@') && !p.parent.startsWith('ifindex')) out.push(`  ${id(undefined, p.parent)} -> ${id(c.end.netns, c.end.name)} [style=dashed, color="#475569", label=${q(` ${c.kind}${c.mode ? ` ${c.mode}` : ''}`)}];`);
    }
  }
  // The way out: the uplink (the host's default route) above each bridge whose subnet it masquerades.
  const uplink = gw?.dev && drawn.includes(gw.dev) ? gw.dev : undefined;
  for (const b of g.blocks.filter((x) => x.masquerades.length && uplink)) out.push(`  ${id(undefined, uplink!)} -> ${id(undefined, b.br.name)} [style=dotted, color="#64748B", label=" NAT out"];`);
  for (const x of t.vxlans) {
    for (const peer of x.peers.length ? x.peers : x.group ? [x.group] : []) {
      out.push(`  ${q(`vtep/${peer}`)} [shape=ellipse, label=${q(`VTEP ${peer}`)}, color="#7C3AED", fillcolor="#FFFFFF"];`);
      out.push(`  ${id(x.netns, x.name)} -> ${q(`vtep/${peer}`)} [style=dashed, color="#7C3AED", label=" VXLAN"];`);
    }
  }
  const apart = g.apart.map((x) => `${x.name}${ownerTag(x.owner) ? ` (${ownerTag(x.owner)})` : ''}`);
  if (apart.length) out.push(`  apart [shape=note, fontsize=9, color="#94A3B8", fillcolor="#FFFFFF", label=${q(`namespaces with no link to this host:\n${chunk(apart, 3).join('\n')}`)}];`);
  out.push('  subgraph cluster_legend {', `    label="legend"; fontsize=10; style="rounded"; color="#CBD5E1";`,
    `    legend_ours [label="made by this nslab lab", fontsize=9, color="#0072B2", fillcolor="#E1EEF8"];`,
    `    legend_foreign [label="not nslab's (by hand, another tool)\\nor another nslab lab's", fontsize=9, color=${q(FOREIGN[0])}, fillcolor=${q(FOREIGN[1])}, style="rounded,filled,dashed"];`,
    '  }', '}');
  return out.join('\n') + '\n';
}

/** `items` joined `n` to a line. */
function chunk(items: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n).join(', '));
  return out;
}
