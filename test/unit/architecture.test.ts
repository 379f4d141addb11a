// Layers only point down: a face never imports another face, and nothing below the faces imports one.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * The programs people run (cli, daemon, bench) sit on top and never import each other. The
 * client (nslabd's wire: calls, replies, socket probing) sits below them: the CLI talks through
 * it and nslabd probes its own socket with it; it imports neither program. Everything else
 * (model, engine, exec, kernel, firewall, ipam, state, lab, errors, log) is below all of them.
 */
const FACES = ['cli', 'daemon', 'bench'];
const rank = (folder: string) => (FACES.includes(folder) ? 2 : folder === 'client' ? 1 : 0);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** The top folder under src/ of a file ('' for src/errors.ts and the like). */
const folderOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return parts.length > 1 ? parts[0]! : '';
};

/** Every relative module `text` (the source of `file`) imports or re-exports, statically or dynamically. */
const importsIn = (text: string, file: string) =>
  [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1]!));

/** May a file in folder `from` import one in folder `to`? Within a folder, anything below the faces, or strictly down. */
const allowed = (from: string, to: string) => to === from || rank(to) === 0 || rank(to) < rank(from);

/** Each import that points sideways between faces or up into a face, as "from -> to". */
function violations(all: readonly string[]): string[] {
  return all.flatMap((f) => importsIn(readFileSync(f, 'utf8'), f)
    .filter((target) => !allowed(folderOf(f), folderOf(target)))
    .map((target) => `${relative(SRC, f)} -> ${relative(SRC, target)}`));
}

t.test('no face imports another face, no lower layer imports a face', async (t) => {
  const all = files(SRC);
  t.ok(all.length > 50, 'the scan sees the source tree');
  t.same(violations(all), []);
});

t.test('the scan sees imports in each form, and the rule refuses each direction it should', async (t) => {
  const file = join(SRC, 'engine', 'x.ts');
  const text = "import { a } from '../cli/x.js';\nexport { b } from '../daemon/y.js';\nawait import('../client/z.js');\nimport '../bench/w.js';\nimport type { C } from './c.js';\n";
  t.same(importsIn(text, file).map(folderOf), ['cli', 'daemon', 'client', 'bench', 'engine']);
  t.notOk(allowed('daemon', 'cli'), 'nslabd may not use the CLI');
  t.notOk(allowed('cli', 'daemon'), 'the CLI may not use nslabd');
  t.notOk(allowed('client', 'daemon'), 'the client may not use nslabd');
  t.notOk(allowed('client', 'cli'), 'the client may not use the CLI');
  t.notOk(allowed('engine', 'client'), 'the engine may not use the client');
  t.notOk(allowed('model', 'cli'), 'the model may not use the CLI');
  t.notOk(allowed('', 'daemon'), 'src/errors.ts and the like may not use nslabd');
  t.ok(allowed('cli', 'client'), 'the CLI talks to nslabd through the client');
  t.ok(allowed('daemon', 'model'), 'nslabd uses the model');
  t.ok(allowed('engine', 'model') && allowed('model', 'engine'), 'lower layers are not ranked among themselves here');
});

t.test('no unit test loads the build: they import src/ (kernel tests run the built CLI on purpose)', async (t) => {
  const unit = files(resolve(import.meta.dirname));
  t.ok(unit.length > 10, 'the scan sees the unit tests');
  const built = unit.filter((f) => /['"`][^'"`\n]*\bdist\//.test(readFileSync(f, 'utf8').replace(/\/\/.*$/gm, '')));
  t.same(built.map((f) => relative(resolve(SRC, '..'), f)), []);
});
