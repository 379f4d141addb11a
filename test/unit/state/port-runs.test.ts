// Published ranges in state.json: packed into runs with a count on save, expanded on load, a
// version 2 file (one entry a port) read as it is, a bad count refused naming the field.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vetState } from '../../../src/engine/records.js';
import { packPorts, unpackPorts } from '../../../src/state/port-runs.js';
import { Store } from '../../../src/state/store.js';
import type { PortRecord, State } from '../../../src/state/types.js';

const range = (protocol: 'tcp' | 'udp', h: number, c: number, n: number, hostIp?: string): PortRecord[] =>
  Array.from({ length: n }, (_, i) => ({ protocol, ...(hostIp ? { hostIp } : {}), hostPort: h + i, containerPort: c + i }));

t.test('packPorts: consecutive mappings become one run; anything that breaks the run starts a new entry', async (t) => {
  t.same(packPorts(range('tcp', 20000, 20000, 500)), [{ protocol: 'tcp', hostPort: 20000, containerPort: 20000, count: 500 }], 'a 500-port range: one entry');
  t.same(packPorts([{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }]), [{ protocol: 'tcp', hostPort: 8080, containerPort: 80 }], 'a single port: as before, no count');
  t.same(packPorts([]), []);
  const mixed: PortRecord[] = [
    ...range('tcp', 7000, 80, 3),
    ...range('udp', 7003, 83, 2), // protocol changes
    ...range('udp', 7005, 90, 2), // container port jumps
    ...range('udp', 7008, 92, 2), // host port jumps
    ...range('udp', 7010, 94, 2, '127.0.0.1'), // host address changes
    { protocol: 'tcp', hostPort: 9001, containerPort: 1 },
    { protocol: 'tcp', hostPort: 9000, containerPort: 2 }, // host port goes back: not a run
  ];
  const packed = packPorts(mixed);
  t.same(packed.map((p) => [p.protocol, p.hostIp, p.hostPort, p.containerPort, p.count]), [
    ['tcp', undefined, 7000, 80, 3],
    ['udp', undefined, 7003, 83, 2],
    ['udp', undefined, 7005, 90, 2],
    ['udp', undefined, 7008, 92, 2],
    ['udp', '127.0.0.1', 7010, 94, 2],
    ['tcp', undefined, 9001, 1, undefined],
    ['tcp', undefined, 9000, 2, undefined],
  ]);
  t.same(unpackPorts(packed), mixed, 'unpacked: the same mappings in the same order');
  t.same(mixed.length, 13, 'the input is not changed');
});

t.test('unpackPorts: a bad count is left in place (the record checks refuse it); what is no list is returned as it is', async (t) => {
  for (const count of [0, -1, 1.5, '3', null, 65537]) {
    const p = { protocol: 'tcp', hostPort: 100, containerPort: 100, count };
    t.same(unpackPorts([p]), [p], `count ${JSON.stringify(count)}`);
  }
  t.same(unpackPorts([{ protocol: 'tcp', hostPort: 65535, containerPort: 1, count: 2 }]), [{ protocol: 'tcp', hostPort: 65535, containerPort: 1, count: 2 }], 'past 65535 on the host side');
  t.same(unpackPorts([{ protocol: 'tcp', hostPort: 1, containerPort: 65535, count: 2 }]), [{ protocol: 'tcp', hostPort: 1, containerPort: 65535, count: 2 }], 'past 65535 on the container side');
  t.same(unpackPorts([{ protocol: 'udp', hostPort: 65534, containerPort: 5, count: 2 }]), range('udp', 65534, 5, 2), 'up to 65535 exactly');
  t.same(unpackPorts([{ protocol: 'udp', hostPort: 53, containerPort: 53, count: 1 }]), range('udp', 53, 53, 1), 'a count of 1: one mapping');
  for (const x of [undefined, 'x', 7, { count: 3 }]) t.same(unpackPorts(x), x);
});

const record = (ports: unknown[]) => ({
  name: 'web', id: 'a'.repeat(64), mode: 'network', status: 'ready', hostname: 'web', dns: [], dnsSearch: [], addHosts: [], request: {}, created: '2026-01-01T00:00:00.000Z',
  endpoints: [{ network: 'lab', ifname: 'eth0', hostVeth: 'nv-web-0', addresses: [{ ip: '10.201.0.2', prefix: 24, gateway: '10.201.0.1' }], mac: '02:42:0a:c9:00:02', aliases: [] }],
  ports,
});
const network = { name: 'lab', id: 'b'.repeat(64), driver: 'bridge', bridge: 'nslab-lab', subnets: [{ subnet: '10.201.0.0/24', gateway: '10.201.0.1', auxAddresses: {} }], mtu: 1500, masquerade: true, icc: true, internal: false, firewall: 'iptables', created: '2026-01-01T00:00:00.000Z' };
const LAB = '0123abcd';
const file = (version: number, ports: unknown[]) => JSON.stringify({ version, networks: { lab: network }, containers: { web: record(ports) }, labId: LAB }, null, 1) + '\n';
const store = (dir: string, warned: string[] = []) => new Store(dir, { state: (s) => vetState(s, (l) => warned.push(l)), intent: (i) => i }, () => LAB);

t.test('Store: a version 2 file (a port an entry) is read as it is and written as version 3 with runs; read back the same', async (t) => {
  const ports = [...range('tcp', 20000, 20000, 500), { protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8090, containerPort: 80 }];
  const v2 = file(2, ports);
  const dir = t.testdir({ 'state.json': v2 });
  const warned: string[] = [];
  const st = store(dir, warned);
  const s = await st.load();
  t.same(warned, []);
  t.same(s.containers.web!.ports, ports, 'every mapping, as the file had them');
  t.equal(readFileSync(join(dir, 'state.json'), 'utf8'), v2, 'reading writes nothing');
  await st.save(s);
  const text = readFileSync(join(dir, 'state.json'), 'utf8');
  const written = JSON.parse(text);
  t.equal(written.version, 3);
  t.same(written.containers.web.ports, [{ protocol: 'tcp', hostPort: 20000, containerPort: 20000, count: 500 }, { protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8090, containerPort: 80 }]);
  t.ok(text.length < v2.length / 10, `the file shrank from ${v2.length} to ${text.length} bytes`);
  t.same((await st.load()).containers.web!.ports, ports, 'read back: the same mappings');
  t.same(s.containers.web!.ports.length, 501, 'saving did not change the state in memory');
});

t.test('Store: a record whose run has a bad count is dropped with a warning naming the field; the others are kept', async (t) => {
  const dir = t.testdir({ 'state.json': file(3, [{ protocol: 'tcp', hostPort: 65000, containerPort: 80, count: 1000 }]) });
  const warned: string[] = [];
  const s: State = await store(dir, warned).load();
  t.notOk(s.containers.web, 'the record is not acted on');
  t.ok(s.networks.lab, 'the network is kept');
  t.equal(warned.length, 1);
  t.match(warned[0], /the container record "web" is invalid \(ports: count 1000 is not a whole number from 1 that keeps both ports within 65535\)/);
  writeFileSync(join(dir, 'state.json'), file(3, [{ protocol: 'tcp', hostPort: 65000, containerPort: 80, count: 3 }]));
  t.same((await store(dir).load()).containers.web!.ports, range('tcp', 65000, 80, 3), 'a good count is expanded');
});
