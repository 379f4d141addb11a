// docs/lab.schema.json: what `npm run gen:lab-schema` writes from the zod schemas, and it accepts every example lab.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { labJsonSchema, labJsonSchemaText } from '../../../src/lab/schema.js';
import { CTR_KEYS, NET_KEYS } from '../../../src/lab/entries.js';
import { parseLab } from '../../../src/lab/labfile.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

t.test('the committed docs/lab.schema.json is the generated one (run npm run gen:lab-schema)', async (t) => {
  t.equal(readFileSync(join(ROOT, 'docs/lab.schema.json'), 'utf8'), labJsonSchemaText());
});

t.test('the schema has every key the parser knows, each with a description, kebab-case as in the file', async (t) => {
  const s = labJsonSchema() as any;
  t.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
  t.same(Object.keys(s.$defs.network.properties), Object.keys(NET_KEYS));
  t.same(Object.keys(s.$defs.container.properties), Object.keys(CTR_KEYS));
  for (const d of ['network', 'container']) {
    for (const [k, v] of Object.entries(s.$defs[d].properties as Record<string, { description?: string }>)) t.ok(v.description, `${d}.${k} has a description`);
  }
});

/** A validator for the part of JSON Schema the lab schema uses (no validator is among the dependencies). */
function errors(s: any, v: unknown, root: any, at = ''): string[] {
  if (s.$ref) return errors(root.$defs[s.$ref.split('/').pop()], v, root, at);
  if (s.anyOf) return s.anyOf.some((x: any) => !errors(x, v, root, at).length) ? [] : [`${at}: matches none of anyOf`];
  const kind = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v;
  const types = s.type === undefined ? [kind] : [s.type].flat();
  if (!types.includes(kind)) return [`${at}: is ${kind}, not ${types.join('|')}`];
  if (s.enum && !s.enum.includes(v)) return [`${at}: not one of ${s.enum.join(', ')}`];
  if (typeof v === 'string' && s.maxLength !== undefined && v.length > s.maxLength) return [`${at}: too long`];
  if (Array.isArray(v)) return [...(s.maxItems !== undefined && v.length > s.maxItems ? [`${at}: too many`] : []), ...v.flatMap((x, i) => errors(s.items ?? {}, x, root, `${at}[${i}]`))];
  if (kind !== 'object') return [];
  return Object.entries(v as object).flatMap(([k, x]) => {
    const p = s.propertyNames;
    if (p && (!new RegExp(p.pattern).test(k) || k.length > p.maxLength)) return [`${at}.${k}: not a valid name`];
    const sub = s.properties?.[k] ?? s.additionalProperties;
    if (sub === false) return [`${at}.${k}: unknown key`];
    return sub === undefined || sub === true ? [] : errors(sub, x, root, `${at}.${k}`);
  });
}

t.test('every example lab validates against the schema; mistakes the parser refuses are refused too', async (t) => {
  const s = labJsonSchema();
  const labs: string[] = [];
  const walk = (d: string): void => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : f.endsWith('.yaml') && labs.push(join(d, f))));
  walk(join(ROOT, 'examples'));
  t.ok(labs.length > 0, `${labs.length} example labs`);
  for (const f of labs) {
    const text = readFileSync(f, 'utf8');
    parseLab(text, f);
    t.same(errors(s, parse(text), s), [], f.slice(ROOT.length));
  }
  const bad = { networks: { lab: { subnett: '10.0.0.0/24', internal: 'maybe' } }, containers: { '-x': {}, web: { ports: [8080, ['80:80']], network: 'lab' } }, 'firewall-backend': 'nftables' };
  t.same(errors(s, bad, s), ['.networks.lab.subnett: unknown key', '.networks.lab.internal: is string, not boolean', '.containers.-x: not a valid name', '.containers.web.ports: matches none of anyOf', '.firewall-backend: not one of iptables, none']);
  t.same(errors(s, parse('containers:\n  c5:\n  web: {ports: 8080:80, mtu: 1}\n'), s), ['.containers.web.mtu: unknown key'], 'an entry with no settings; a lone value for a list');
});
