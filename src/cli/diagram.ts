// `nslab diagram [--format text|svg|dot|png] [-o FILE]`: the topology drawn from the live kernel.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ValidationError } from '../errors.js';
import type { GlobalOptions } from './context.js';

const FORMATS = ['text', 'svg', 'dot', 'png'];

export function diagramCommand(program: Command, opts: () => GlobalOptions): void {
  program.command('diagram').description('draw the topology from the live kernel: bridges, veth pairs (both ends), namespaces, gateways, NAT, published ports')
    .option('--format <format>', `text (boxes for a terminal), svg, dot (Graphviz) or png`, 'text')
    .option('-o, --output <file>', 'write the diagram to FILE (png needs it, unless standard output is not a terminal)')
    .addHelpText('after', [
      '',
      "It reads the kernel, not nslab's records: what was built by hand is drawn too, marked (not nslab's).",
      "Reads only: no lock, no daemon needed; root, to look inside every namespace (not root: nslabd draws it). --json prints the model.",
      '',
      'Examples:',
      '  sudo nslab diagram',
      '  sudo nslab diagram --format svg -o lab.svg',
      '  sudo nslab diagram --format png -o lab.png',
      '  sudo nslab diagram --format dot | dot -Tpdf > lab.pdf',
      '  sudo nslab diagram --json | jq \'.veths[] | [.a.name, .b.netns, .b.name]\'',
      '  sudo nslabd --http 127.0.0.1:8081     # then open http://127.0.0.1:8081/: the diagram, redrawn on each change',
    ].join('\n'))
    .action(async (o: { format: string; output?: string }) => {
      const g = opts();
      if (!FORMATS.includes(o.format)) throw new ValidationError('format', `"${o.format}" is not a format (one of ${FORMATS.join(', ')})`);
      if (o.format === 'png' && !o.output && !g.json && process.stdout.isTTY) {
        throw new ValidationError('output', 'a PNG is not for a terminal: give -o FILE (or redirect standard output)');
      }
      const format = g.json ? 'json' : (o.format as 'text');
      let body: string | Buffer;
      if (process.getuid?.() !== 0) {
        // Not root: nslabd (which is) draws it, for a member of group nslab; else one line, exit 2.
        const { answers } = await import('../client/probe.js');
        if (!(await answers(g.socket))) throw new ValidationError('permission', 'diagram needs root to look inside every namespace and read the nat table: run it with sudo, or join the nslab group and let nslabd draw it');
        body = await (await import('../client/diagram.js')).remoteDiagram(g.socket, format);
      } else {
        const [{ readTopology }, { render }, { ExecaRunner }] = await Promise.all([import('../topology/read.js'), import('../diagram/render.js'), import('../exec/runner.js')]);
        const runner = new ExecaRunner();
        try {
          body = await render(await readTopology(runner, { stateDir: g.stateDir }), format);
        } finally {
          runner.close();
        }
      }
      if (o.output) writeFileSync(o.output, body);
      else process.stdout.write(body);
    });
}
