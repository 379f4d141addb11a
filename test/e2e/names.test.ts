// Names through hosts files, without nslabd: a network's containers by name, --link aliases,
// --add-host, scope, a removed container's name going, rebuild-state reading them back.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sandbox, WORLD_IP } from '../helpers/sandbox.js';

const sb = await sandbox('nm');
t.teardown(() => sb.down());
const [web, db, app, lone, late] = ['web1', 'db1', 'app1', 'lone1', 'late1'].map((n) => sb.name(n));
const before = await sb.snapshot();

// The example lab, with this sandbox's names; any DNS query goes to the world namespace, where nothing answers.
const labFile = join(mkdtempSync(join(tmpdir(), 'nslab-lab-')), 'lab.yaml');
const rename = (s: string) => s.replace(/\b(web1|db1|app1|lone1)\b/g, (n) => sb.name(n));
const dnsLine = `    dns: [${WORLD_IP}]\n`;
writeFileSync(labFile, rename(readFileSync(new URL('../../examples/link/lab.yaml', import.meta.url), 'utf8')).replace(/(\n {4}network: \w+\n)/g, `$1${dnsLine}`));
t.teardown(() => rmSync(dirname(labFile), { recursive: true, force: true }));

/** What `getent hosts NAME` answers inside `ns`: its first line, or '' when the name is unknown. */
async function lookup(ns: string, name: string): Promise<string> {
  const r = await sb.exec(ns, ['getent', 'hosts', name]);
  return r.code === 0 ? r.stdout.split('\n')[0]!.replace(/\s+/g, ' ').trim() : '';
}

t.test('up: names of the same network resolve, links by alias, add-host entries; other networks do not', async (t) => {
  const r = await sb.cli(['up', labFile]);
  t.equal(r.code, 0, r.stderr);
  t.equal(await lookup(app, web), `10.203.0.2 ${web}`);
  t.equal(await lookup(web, app), `10.203.0.4 ${app}`, 'both ways: the earlier containers learnt the later names');
  t.equal(await lookup(app, 'database'), `10.203.0.3 database ${db}`, '--link db1:database');
  t.equal(await lookup(app, 'gateway'), '10.203.0.1 gateway', '--add-host');
  t.equal(await lookup(lone, web), '', 'a container of another network does not resolve the name');
  t.equal((await sb.exec(app, ['ping', '-c', '1', '-W', '2', web])).code, 0, 'and the name reaches the container');
  const hosts = readFileSync(`/etc/netns/${app}/hosts`, 'utf8');
  t.match(hosts, `# containers on its networks (names resolve even while nslabd is not running)\n10.203.0.3\t${db}\n10.203.0.2\t${web}\n`);
  t.match(hosts, `# --link: alias, then container\n10.203.0.3\tdatabase ${db}\n# --add-host\n10.203.0.1\tgateway\n`);
});

t.test('a container created later is named in the others\' files; removed, its name stops resolving', async (t) => {
  t.equal((await sb.cli(['container', 'create', late, '--network', 'front', '--dns', WORLD_IP])).code, 0);
  t.equal(await lookup(web, late), `10.203.0.5 ${late}`);
  t.equal(await lookup(lone, late), '');
  t.equal((await sb.cli(['container', 'rm', late])).code, 0);
  t.equal(await lookup(web, late), '', 'gone from the hosts files');
  t.same((await sb.cli(['check'])).code, 0, 'check finds every file as the records say');
});

t.test('a link to a container on another network is refused: exit 2, one line naming the field, host unchanged', async (t) => {
  const snap = await sb.snapshot();
  const r = await sb.cli(['container', 'create', late, '--network', 'front', '--link', `${lone}:x`]);
  t.equal(r.code, 2);
  t.match(r.stderr, new RegExp(`^nslab: link: container ${lone} is on back, not on a network of ${late} \\(front\\): a link needs a shared network$`));
  t.same(await sb.snapshot(), snap);
});

t.test('inspect shows the links and extra hosts; rebuild-state reads them back from the hosts file', async (t) => {
  const show = async () => JSON.parse((await sb.cli(['container', 'inspect', app])).stdout)[0].HostConfig;
  t.match(await show(), { Links: [`/${db}:/${app}/database`], ExtraHosts: ['gateway:10.203.0.1'] });
  const r = await sb.cli(['rebuild-state']);
  t.equal(r.code, 0, r.stderr);
  t.match(await show(), { Links: [`/${db}:/${app}/database`], ExtraHosts: ['gateway:10.203.0.1'] });
});

t.test('down removes it all', async (t) => {
  t.equal((await sb.cli(['down', labFile])).code, 0);
  t.same(await sb.snapshot(), before);
});
