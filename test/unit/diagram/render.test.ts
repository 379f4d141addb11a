// The diagram's renderers from a fixed topology: text for a 100-column terminal, DOT that Graphviz
// (WebAssembly) lays out, and SVG that resvg turns into a PNG of sane size that is not blank.
import t from 'tap';
import { Resvg } from '@resvg/resvg-js';
import { renderDot } from '../../../src/diagram/dot.js';
import { checkFormat, dotToSvg, render, svgToPng } from '../../../src/diagram/render.js';
import { box, MAX_WIDTH, renderText, wrap } from '../../../src/diagram/text.js';
import { assemble } from '../../../src/topology/assemble.js';
import { CONTAINERS, rawFixture } from '../../helpers/topology-fixture.js';

const topo = assemble(rawFixture());

t.test('text: a 2-network, 6-container lab fits 100 columns and names every part', async (t) => {
  const text = renderText(topo);
  const lines = text.trimEnd().split('\n');
  t.same(lines.filter((l) => [...l].length > MAX_WIDTH), [], 'no line wider than 100 columns');
  for (const c of CONTAINERS) {
    t.match(text, new RegExp(`${c}[^\\n]*nv-${c}-0 ↔ eth0 +10\\.88\\.\\d\\.\\d/24 +via 10\\.88\\.\\d\\.1`), `${c}: both veth ends, its address and gateway on one line`);
  }
  t.match(text, /bridge nslab-web +network web/);
  t.match(text, /gateway 10\.88\.1\.1\/24/);
  t.match(text, /NAT: MASQUERADE 10\.88\.1\.0\/24 \(! -o nslab-web\)/);
  t.match(text, /publishes 8080→80\/tcp/);
  t.match(text, /publishes 127\.0\.0\.1:5353→53\/udp/);
  t.match(text, /web1 = web1x/, 'a namespace\'s other name');
  t.match(text, /bridge br0 +\(not nslab's\)/, 'the hand-made bridge is marked');
  t.match(text, /hand +vhost ↔ vpeer +10\.99\.0\.2\/24 +via 10\.99\.0\.1 +\(not nslab's\)/, 'the hand-made veth and namespace, marked');
  t.match(text, /NAT: MASQUERADE 10\.99\.0\.0\/24 -o eth0 +\(not nslab's\)/);
  t.match(text, /macvlan parent eth0[\s\S]*mv +mv0 \(macvlan bridge\) +10\.0\.2\.50\/24/);
  t.match(text, /vxlan 42 dev eth0 port 4789 → 192\.0\.2\.7, 192\.0\.2\.8/);
  t.match(text, /namespaces with no link to this host:\n +lonely/);
  t.match(text, /default route via 10\.0\.2\.2 dev eth0/);
  t.notMatch(text, /nv-web1-0[^\n]*not nslab/, 'what this lab made carries no mark');
});

t.test('text: long names wrap inside their box and never pass 100 columns', async (t) => {
  const long = `${'x'.repeat(140)} and some words after it`;
  t.ok(wrap(long, 96).every((l) => l.length <= 96));
  const b = box('bridge a-very-long-title '.repeat(8), [long, 'short']);
  t.same(b.filter((l) => [...l].length > MAX_WIDTH), []);
  t.match(b[0]!, /^┌─ /);
  t.match(b.at(-1)!, /^└─+┘$/);
  const many = assemble(rawFixture({ labId: 'ffffffff' }));
  t.same(renderText(many).split('\n').filter((l) => [...l].length > MAX_WIDTH), [], 'with every object tagged "nslab lab …"');
  t.match(renderText(many), /\(nslab lab aaaabbbb\)/);
});

t.test('dot: Graphviz lays it out; a cluster per namespace; not-nslab objects dashed', async (t) => {
  const dot = renderDot(topo);
  const svg = await dotToSvg(dot);
  t.match(svg, /^<\?xml[\s\S]*<svg /);
  for (const c of CONTAINERS) t.match(dot, new RegExp(`label="namespace ${c}`), `a cluster for ${c}`);
  t.match(dot, /"\/nv-web1-0" -> "web1\/eth0" \[[^\]]*label=" veth"/, 'the veth pair is an edge from the host end to eth0');
  t.match(dot, /"\/br0" \[label="bridge br0\\ngateway 10\.99\.0\.1\/24[^"]*\(not nslab's\)"[^\]]*dashed/);
  t.match(svg, /not nslab&#39;s|not nslab's/, 'the legend is drawn');
  t.match(svg, /font-family="DejaVu Sans,Verdana,sans-serif"/, 'a sans-serif fallback for viewers without DejaVu Sans');
  await t.rejects(dotToSvg('digraph { a -> '), 'a syntax error is an error, not an empty picture');
});

t.test('png: the SVG rasterised by resvg has a sane size and is not blank', async (t) => {
  const svg = (await render(topo, 'svg')) as string;
  const png = await svgToPng(svg);
  t.same([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  t.ok(width > 800 && width < 20000 && height > 300 && height < 20000, `sane size ${width}x${height}`);
  const pixels = new Resvg(svg, { background: 'white' }).render().pixels;
  let ink = 0;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 200 || pixels[i + 1]! < 200 || pixels[i + 2]! < 200) ink++;
  const share = ink / (pixels.length / 4);
  t.ok(share > 0.01 && share < 0.6, `drawn, not blank (${(share * 100).toFixed(1)}% of pixels are dark)`);
});

t.test('formats: each one renders; a bad one is refused naming the field', async (t) => {
  t.same(JSON.parse((await render(topo, 'json')) as string), JSON.parse(JSON.stringify(topo)));
  t.equal(await render(topo, 'text'), renderText(topo));
  t.equal(await render(topo, 'dot'), renderDot(topo));
  t.throws(() => checkFormat('format', 'jpeg'), { name: 'ValidationError', message: /format: "jpeg" is not a format \(one of text, svg, dot, png, json\)/ });
  t.equal(checkFormat('format', 'svg'), 'svg');
});
