// npm run build, after tsc has type-checked src/: esbuild bundles each binary into one ESM file
// in dist/, minified, with code splitting only for what a path imports lazily (the engine, the
// lab-file parser, the daemon client, zod schemas, execa, pino-pretty): each is a chunk of its
// own in dist/chunks-BINARY/, read only when that path runs. Node's ESM loader resolves, stats,
// reads and compiles every module one by one; ~150 modules of source and node_modules were
// most of a short command's time. The source maps point back at src/.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const binaries = {
  nslab: 'src/cli/main.ts',
  nslabd: 'src/daemon/main.ts',
  'bench/main': 'src/bench/main.ts',
};

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
rmSync('dist', { recursive: true, force: true });
const meta = {};
for (const [name, entry] of Object.entries(binaries)) {
  const result = await build({
    entryPoints: { [name]: entry },
    outdir: 'dist',
    chunkNames: `chunks-${name.replace('/', '-')}/[name]-[hash]`,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    define: { NSLAB_VERSION: JSON.stringify(version) },
    // Error names (ValidationError, …) are part of what nslab prints and tests check.
    keepNames: true,
    sourcemap: true,
    // Some dependencies are CommonJS and call require() for node's own modules.
    banner: { js: "import { createRequire as __nslabRequire } from 'node:module'; const require = __nslabRequire(import.meta.url);" },
    // Native addons (flock; resvg, the diagram's PNG) stay in node_modules: each loads a .node
    // file beside itself. So does Graphviz compiled to WebAssembly (the diagram's SVG): 0.8 MB that only
    // `diagram --format svg|png` and nslabd's /v1/diagram import, when they run.
    external: ['fs-native-extensions', '@resvg/resvg-js', '@hpcc-js/wasm-graphviz'],
    metafile: true,
    logLevel: 'warning',
  });
  Object.assign(meta, result.metafile.outputs);
}
// NSLAB_BUILD_META=FILE: what went into each output file, to see what a binary loads at start.
if (process.env.NSLAB_BUILD_META) writeFileSync(process.env.NSLAB_BUILD_META, JSON.stringify({ outputs: meta }));
