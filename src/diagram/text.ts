// The diagram for a terminal: a box for the host and one per bridge (gateway, NAT, the namespaces on
// it, each veth with both ends named), then macvlan parents, VXLAN devices and namespaces apart.
import { ownerTag, type Owner, type Topology } from '../topology/model.js';
import { group, masqueradeWords, portWords, vxlanWords, type Row } from './view.js';

/** The widest a line may be: a 100-column terminal. */
export const MAX_WIDTH = 100;

const tag = (o: Owner) => (ownerTag(o) ? `(${ownerTag(o)})` : '');
const join = (...parts: Array<string | false | undefined>) => parts.filter(Boolean).join('  ');

/** Cut `line` into pieces of at most `width`, at spaces where it can; later pieces indented by `indent`. Pure. */
export function wrap(line: string, width: number, indent = 4): string[] {
  const out: string[] = [];
  let rest = line;
  let first = true;
  while (rest.length > (first ? width : width - indent)) {
    const room = first ? width : width - indent;
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= room / 3) cut = room;
    out.push((first ? '' : ' '.repeat(indent)) + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    first = false;
  }
  out.push((first ? '' : ' '.repeat(indent)) + rest);
  return out;
}

/** A box around `lines` titled `title`, at most MAX_WIDTH wide. Pure. */
export function box(title: string, lines: readonly string[]): string[] {
  const inner = MAX_WIDTH - 4;
  const body = lines.flatMap((l) => wrap(l, inner, 6));
  const head = wrap(title, inner - 2, 2);
  const w = Math.min(inner, Math.max(head[0]!.length + 2, ...body.map((l) => l.length), ...head.slice(1).map((l) => l.length)));
  return [
    `┌─ ${head[0]} ${'─'.repeat(Math.max(0, w - head[0]!.length - 2))}┐`,
    ...[...head.slice(1), ...body].map((l) => `│ ${l.padEnd(w)} │`),
    `└${'─'.repeat(w + 2)}┘`,
  ];
}

/** Rows as aligned columns under a tree: `├─ name  port ↔ inner  addresses  via GW  (tag)`, ports below. */
function rowLines(rows: readonly Row[]): string[] {
  const cells = rows.map((r) => [
    r.netns ? [r.netns, ...(r.aka ?? [])].join(' = ') : r.inner ? 'host' : `port ${r.port}`,
    r.inner ? `${r.port} ↔ ${r.inner}` : r.note ?? '',
    r.addrs.join(', '),
    r.via ? `via ${r.via}` : '',
    tag(r.owner),
  ]);
  const widths = [0, 1, 2].map((i) => Math.min(24, Math.max(0, ...cells.map((c) => c[i]!.length))));
  return rows.flatMap((r, i) => {
    const last = i === rows.length - 1;
    const c = cells[i]!;
    const line = `${last ? '└─' : '├─'} ${c.map((x, k) => (k < 3 && k < c.length - 1 ? x.padEnd(widths[k] ?? 0) : x)).join('  ').trimEnd()}`;
    const under = last ? '   ' : '│  ';
    return [line, ...(r.ports.length ? [`${under}${' '.repeat(widths[0]!)}  publishes ${r.ports.map((p) => `${portWords(p)}${tag(p.owner) ? ` ${tag(p.owner)}` : ''}`).join(', ')}`] : [])];
  });
}

/** The whole diagram as text for a terminal, no line wider than MAX_WIDTH. Pure. */
export function renderText(t: Topology): string {
  const g = group(t);
  const out: string[] = [];
  const gw = t.host.gateway;
  const host = [
    gw ? `default route via ${gw.via ?? '(none)'}${gw.dev ? ` dev ${gw.dev}` : ''}` : 'no default route',
    ...t.host.ifaces.filter((i) => i.addrs.length || i.up).map((i) => join(`${i.name}${i.up ? '' : ' (down)'}`, i.addrs.join(', '))),
    ...g.hostVeths.map((v) => {
      const end = (e: NonNullable<typeof v.b>) => `${e.netns ? `${e.netns}: ` : ''}${e.name}${e.addrs.length ? ` ${e.addrs.join(', ')}` : ''}`;
      const [near, far] = v.a.netns ? [v.b!, v.a] : [v.a, v.b];
      return join(`${end(near)} ↔ ${far ? end(far) : '(peer in a namespace with no name)'}`, tag(v.owner));
    }),
    ...g.masquerades.map((m) => join(`NAT: ${masqueradeWords(m)}`, tag(m.owner))),
    ...g.ports.map((p) => join(`publishes ${portWords(p, true)}${p.container ? ` (${p.container})` : ''}`, tag(p.owner))),
    ...(g.hostNames.length ? [`the host's own namespace is also named: ${g.hostNames.join(', ')}`] : []),
  ];
  out.push(...box('host (the namespace nslab runs in)', host));
  for (const b of g.blocks) {
    const br = b.br;
    const head = [
      join(br.addrs.length ? `gateway ${br.addrs.join(', ')}` : 'no address', br.mac && `mac ${br.mac}`, br.mtu !== 1500 && `mtu ${br.mtu}`),
      ...(b.masquerades.length ? b.masquerades.map((m) => join(`NAT: ${masqueradeWords(m)}`, tag(m.owner))) : ['NAT: no MASQUERADE for this subnet']),
    ];
    out.push(...box(join(`bridge ${br.name}${br.up ? '' : ' (down)'}`, br.network && `network ${br.network}`, tag(br.owner)), [...head, ...(b.rows.length ? rowLines(b.rows) : ['(no ports)'])]));
  }
  for (const p of g.parents) {
    const rows: Row[] = p.children.map((c) => {
      const n = t.namespaces.find((x) => x.name === c.end.netns);
      const via = n?.gateway?.dev === c.end.name ? n.gateway.via : undefined;
      return { ...(c.end.netns ? { netns: c.end.netns } : {}), port: c.end.name, addrs: c.end.addrs, ...(via ? { via } : {}), ports: [], owner: c.owner, note: `${c.end.name} (${c.kind}${c.mode ? ` ${c.mode}` : ''})` };
    });
    out.push(...box(`${p.children[0]!.kind} parent ${p.parent}`, rowLines(rows)));
  }
  for (const x of g.vxlans) out.push(...box(join(`vxlan ${x.name}`, x.netns && `in ${x.netns}`, tag(x.owner)), [vxlanWords(x), ...(x.local ? [`local ${x.local}`] : []), ...(x.master ? [`port of ${x.master}`] : [])]));
  if (g.apart.length) {
    out.push('namespaces with no link to this host:');
    for (const n of g.apart) {
      const ifs = n.ifaces.map((i) => `${i.name}${i.addrs.length ? ` ${i.addrs.join(', ')}` : ''}`).join('; ');
      out.push(...wrap(`  ${join(n.name, tag(n.owner))}: ${ifs || 'lo only'}`, MAX_WIDTH, 6));
    }
  }
  const all: Owner[] = [...t.bridges, ...t.veths, ...t.masquerades, ...t.ports, ...t.namespaces, ...t.children, ...t.vxlans].map((o) => o.owner);
  if (all.some((o) => !o.nslab)) out.push("(not nslab's): made by hand or by another tool; nslab never changes it");
  if (all.some((o) => o.nslab && !o.thisLab)) out.push('(nslab lab X): made by nslab for another state directory');
  for (const n of t.notes) out.push(...wrap(`note: ${n}`, MAX_WIDTH, 6));
  return out.join('\n') + '\n';
}
