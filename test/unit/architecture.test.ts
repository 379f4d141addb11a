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

t.test('a driver is a folder under src/drivers/ and a line in its registry: nothing else names one', async (t) => {
  const all = files(SRC);
  const DRIVERS = join(SRC, 'drivers');
  const folders = readdirSync(DRIVERS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  t.ok(folders.includes('bridge'), 'the bridge driver has its folder');
  // Only the registry (and the driver's own folder) imports a driver's files.
  const reaching = all.flatMap((f) => importsIn(readFileSync(f, 'utf8'), f)
    .filter((target) => folders.some((d) => target.startsWith(join(DRIVERS, d) + '/')))
    .filter((target) => f !== join(DRIVERS, 'registry.ts') && !relative(DRIVERS, f).startsWith(relative(DRIVERS, dirname(target)) + '/'))
    .map((target) => `${relative(SRC, f)} -> ${relative(SRC, target)}`));
  t.same(reaching, [], 'the engine, model and faces reach drivers through drivers/registry.ts only');
  // Drivers sit below the engine: they use its plan vocabulary (steps, names, inputs, checks), never its verbs.
  const vocabulary = ['step.ts', 'names.ts', 'inputs.ts', 'validate.ts'].map((f) => join(SRC, 'engine', f));
  const up = all.filter((f) => f.startsWith(DRIVERS + '/')).flatMap((f) => importsIn(readFileSync(f, 'utf8'), f)
    .filter((target) => target.startsWith(join(SRC, 'engine') + '/') && !vocabulary.includes(target.replace(/\.js$/, '.ts')))
    .map((target) => `${relative(SRC, f)} -> ${relative(SRC, target)}`));
  t.same(up, [], "drivers import nothing of the engine's verbs");
  // Nothing outside a driver's folder asks what a network is made of.
  // Allowed: the record types and their migration and checks, and the request side (the
  // bridge driver's --bridge flag and -o key, parsed with the other network options, and the
  // grader reading the bridge name a lab file asks for).
  const shapes = ['state/types.ts', 'state/migrate.ts', 'engine/records.ts', 'engine/inputs.ts', 'cli/network.ts', 'grade/network.ts'].map((f) => join(SRC, f));
  const bridgeWords = all.filter((f) => !f.startsWith(join(DRIVERS, 'bridge') + '/') && !shapes.includes(f))
    .filter((f) => /[\w$)\]]\??\.(bridge|hostVeth)\b(?![.\-])/.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')))
    .map((f) => relative(SRC, f));
  t.same(bridgeWords, [], 'no n.bridge or e.hostVeth read outside src/drivers/bridge/');
});
