// --format and -q: json, table, names, and the Go-template-like field pick over inspect's views.
import t from 'tap';
import { compileTemplate, formatOf, formatted } from '../../../src/cli/format.js';

const view = { Name: 'lab', Driver: 'bridge', IPAM: { Config: [{ Subnet: '10.1.0.0/24' }] }, Internal: false, Containers: {} };

t.test('a template picks fields by dotted path', async (t) => {
  t.equal(compileTemplate('{{.Name}}')(view), 'lab');
  t.equal(compileTemplate('{{ .Name }} {{.Driver}}')(view), 'lab bridge', 'spaces inside the braces');
  t.equal(compileTemplate('{{.IPAM.Config}}')(view), '[{"Subnet":"10.1.0.0/24"}]', 'an object prints as JSON');
  t.equal(compileTemplate('{{json .Containers}}')(view), '{}', 'json of a field');
  t.equal(compileTemplate('{{.Internal}}')(view), 'false', 'a flag prints as a word');
  t.equal(compileTemplate('{{.Nope}}')(view), '<no value>', 'a missing field, as Go prints it');
  t.equal(compileTemplate('{{.Name.x}}')(view), '<no value>', 'a path through text');
  t.equal(compileTemplate('{{.__proto__}}')(view), '<no value>', 'only own fields');
  t.equal(compileTemplate('{{.Name}}\\t{{.Driver}}')(view), 'lab\tbridge', '\\t is a tab');
  t.equal(compileTemplate('{{json .}}')(view), JSON.stringify(view), 'the whole view');
});

t.test('anything else between braces is refused, naming the field format', async (t) => {
  for (const bad of ['{{range .Containers}}{{end}}', '{{.Name', '{{ upper .Name }}', 'x }}']) {
    t.throws(() => compileTemplate(bad), { field: 'format', message: /^format: ".*" is not a template nslab knows/ }, bad);
  }
});

t.test('formatOf: -q wins, then --format, then --json, then the command default', async (t) => {
  t.same(formatOf({ quiet: true, format: 'json' }, true, 'table'), { kind: 'names' });
  t.same(formatOf({ format: 'table' }, true, 'table'), { kind: 'table' });
  t.same(formatOf({ format: 'json' }, false, 'table'), { kind: 'json' });
  t.same(formatOf({}, true, 'table'), { kind: 'json' });
  t.same(formatOf({}, false, 'table'), { kind: 'table' });
  t.same(formatOf({}, false, 'json'), { kind: 'json' });
  t.equal(formatOf({ format: '{{.Name}}' }, false, 'table').kind, 'template');
  t.throws(() => formatOf({ format: 'yaml' }, false, 'table'), { field: 'format', message: /^format: "yaml" is not json, table or a template/ });
});

t.test('formatted: names, one template line per view, or the JSON list', async (t) => {
  const views = [view, { ...view, Name: 'b' }];
  t.equal(formatted({ kind: 'names' }, views), 'lab\nb\n');
  t.equal(formatted(formatOf({ format: '{{.Name}}={{.Driver}}' }, false, 'table'), views), 'lab=bridge\nb=bridge\n');
  t.same(JSON.parse(formatted({ kind: 'json' }, views)), views);
  t.equal(formatted({ kind: 'names' }, []), '', 'nothing to list: no output');
});
