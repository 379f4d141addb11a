// npm run gen:lab-schema: write docs/lab.schema.json from the zod schemas nslab checks lab files
// with (src/lab/schema.ts, bundled by esbuild into a temporary module and run). A unit test
// (test/unit/lab/schema.test.ts) fails when the committed file differs from what this writes.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'nslab-schema-'));
try {
  const out = join(dir, 'schema.mjs');
  await build({ entryPoints: ['src/lab/schema.ts'], outfile: out, bundle: true, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" }, external: ['fs-native-extensions'] });
  const { labJsonSchemaText } = await import(pathToFileURL(out).href);
  writeFileSync('docs/lab.schema.json', labJsonSchemaText());
  console.log('wrote docs/lab.schema.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
