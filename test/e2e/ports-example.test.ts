// examples/ports/lab.yaml through the CLI inside a sandbox: up, reached from the world, the host
// and a neighbour; down leaves the host as it was.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HOST_IP, WORLD_IP, sandbox } from '../helpers/sandbox.js';
import { Servers, tcp, udp } from '../helpers/ports.js';

const sb = await sandbox('ppe');
const servers = new Servers();
t.teardown(async () => {
  await servers.stop();
  await sb.down();
});
const [web, dns, client] = ['web', 'dns', 'client'].map((n) => sb.name(n));
const before = await sb.snapshot();
const labFile = join(mkdtempSync(join(tmpdir(), 'nslab-lab-')), 'lab.yaml');
writeFileSync(labFile, readFileSync(new URL('../../examples/ports/lab.yaml', import.meta.url), 'utf8')
  .replace(/^ {2}web:/m, `  ${web}:`).replace(/^ {2}dns:/m, `  ${dns}:`).replace(/^ {2}client:/m, `  ${client}:`));
t.teardown(() => rmSync(dirname(labFile), { recursive: true, force: true }));

t.test('up publishes the ports of the example', async (t) => {
  const r = await sb.cli(['up', labFile]);
  t.equal(r.code, 0, r.stderr);
  await servers.start(web, 'web', 80);
  await servers.start(web, 'web-tls', 443);
  await servers.start(dns, 'dns', 53, 'udp');
  await servers.start(dns, 'dns-tcp', 53);
  t.equal(await tcp(sb.world, HOST_IP, 8080), `web ${WORLD_IP}`, 'world → HOST:8080 → web:80');
  t.equal(await udp(sb.world, HOST_IP, 5353), `dns ${WORLD_IP}`, 'world → HOST:5353/udp → dns:53');
  t.equal(await tcp(sb.world, HOST_IP, 5353), `dns-tcp ${WORLD_IP}`, 'and 5353/tcp beside it');
  t.equal(await tcp(sb.world, HOST_IP, 8443), '', '127.0.0.1:8443 is not on the LAN address');
  t.equal(await tcp(sb.host, '127.0.0.1', 8443), 'web-tls 10.203.0.1', 'the host reaches 127.0.0.1:8443');
  t.equal(await tcp(sb.host, '127.0.0.1', 8080), 'web 10.203.0.1', 'and the wildcard on 127.0.0.1');
  t.equal(await tcp(client, HOST_IP, 8080), 'web 10.203.0.1', 'a neighbour through the host address (hairpin)');
  t.equal((await sb.cli(['check'])).code, 0, 'check is clean');
});

t.test('down removes it all: the host is as before', async (t) => {
  await servers.stop();
  const r = await sb.cli(['down', labFile]);
  t.equal(r.code, 0, r.stderr);
  // route_localnet stays on a bridge that is gone with it; the snapshot compares links, rules, routes, namespaces, files.
  t.same(await sb.snapshot(), before);
});
