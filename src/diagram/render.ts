// Every format of the diagram from one topology. The layout engine (Graphviz compiled to
// WebAssembly, @hpcc-js/wasm-graphviz) and the PNG rasteriser (@resvg/resvg-js) are loaded only
// when an SVG or a PNG is asked for: they are megabytes that no other command should pay for.
import { ValidationError } from '../errors.js';
import type { Topology } from '../topology/model.js';
import { FONT, renderDot } from './dot.js';
import { renderText } from './text.js';

export const FORMATS = ['text', 'svg', 'dot', 'png', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** The format named by `--format` (or `?format=`), refused in one line naming `field` otherwise. Pure. */
export function checkFormat(field: string, value: string, allowed: readonly Format[] = FORMATS): Format {
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(field, `"${value}" is not a format (one of ${allowed.join(', ')})`);
  return value as Format;
}

let graphviz: Promise<{ layout(dot: string, format: 'svg', engine: 'dot'): string }> | undefined;

/** Lay out DOT with Graphviz (WebAssembly, loaded once per process) into SVG; a syntax error throws. */
export async function dotToSvg(dot: string): Promise<string> {
  graphviz ??= import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  // Viewers without DejaVu Sans get a sans-serif face, not their default serif one.
  return (await graphviz).layout(dot, 'svg', 'dot').replaceAll(`font-family="${FONT}"`, `font-family="${FONT},Verdana,sans-serif"`);
}

/** An SVG rasterised to PNG at twice its size (readable on a high-density screen), on white. */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
  });
  return r.render().asPng();
}

/** The diagram of `t` in `format`: text, DOT or SVG as a string, PNG as bytes, json as the model. */
export async function render(t: Topology, format: Format): Promise<string | Buffer> {
  switch (format) {
    case 'text': return renderText(t);
    case 'dot': return renderDot(t);
    case 'json': return JSON.stringify(t, null, 2) + '\n';
    case 'svg': return dotToSvg(renderDot(t));
    case 'png': return svgToPng(await dotToSvg(renderDot(t)));
  }
}
