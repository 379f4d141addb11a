// The --link lesson in a sandbox: a link alias, the network's names and --add-host in the hosts file, scoped to the network.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { sandbox, WORLD_IP } from '../../test/helpers/sandbox.js';
import { exampleLab, proveExample } from '../../test/helpers/example-lab.js';

const sb = await sandbox('edl');
t.teardown(() => sb.down());
// WORLD_IP: lookups of names the hosts files lack end at once (see exampleLab).
const lab = exampleLab(sb, 'link', { dns: WORLD_IP });
const [web, db, app, lone] = ['web1', 'db1', 'app1', 'lone1'].map((n) => sb.name(n));

/** The first line `getent hosts NAME` answers inside `ns`, spaces squeezed (only names the hosts file holds: no DNS query). */
const lookup = async (ns: string, name: string) => (await sb.exec(ns, ['getent', 'hosts', name])).stdout.split('\n')[0]!.replace(/\s+/g, ' ').trim();

await proveExample(t, sb, lab, {
  prove: async (t) => {
    t.equal(await lookup(app, 'database'), `10.203.0.3 database ${db}`, 'app1: database is db1, by its --link alias');
    t.equal((await sb.exec(app, ['ping', '-c', '1', '-W', '2', 'database'])).code, 0, 'and the alias reaches it');
    t.equal(await lookup(app, web), `10.203.0.2 ${web}`, 'a container of the same network, by name');
    t.equal(await lookup(app, 'gateway'), '10.203.0.1 gateway', '--add-host');
    const hosts = readFileSync(`/etc/netns/${app}/hosts`, 'utf8');
    t.match(hosts, `# --link: alias, then container\n10.203.0.3\tdatabase ${db}\n`, 'the link part of app1\'s hosts file');
    t.equal((await sb.exec(app, ['cat', '/etc/hosts'])).stdout, hosts.trimEnd(), 'which app1 sees as /etc/hosts');
    const lonely = readFileSync(`/etc/netns/${lone}/hosts`, 'utf8');
    t.notMatch(lonely, new RegExp(`${web}|${db}|${app}|database`), 'lone1, on another network, is told none of them');
    t.match(lonely, lone);
  },
});
