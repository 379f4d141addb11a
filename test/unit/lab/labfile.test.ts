import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LAB_MAX_BYTES, parseLab, readLab } from '../../../src/lab/labfile.js';
import { LabFileError } from '../../../src/errors.js';

t.test('the example lab parses', async (t) => {
  const lab = parseLab(readFileSync(new URL('../../../examples/docker0/lab.yaml', import.meta.url), 'utf8'));
  t.same(lab.networks.map((n) => [n.name, n.subnet, n.bridge]), [['lab', '10.201.0.0/24', 'br0']]);
  t.same(lab.containers.map((c) => [c.name, c.network, c.ip]), [['container4', 'lab', '10.201.0.4'], ['container5', 'lab', '10.201.0.5']]);
});

t.test('errors name the key', async (t) => {
  t.throws(() => parseLab('networks: {lab: {subnett: 10.0.0.0/24}}'), /^networks\.lab\.subnett: unknown key/);
  t.throws(() => parseLab('foo: 1'), /^lab\.foo: unknown key/);
  t.throws(() => parseLab('containers: {c: {ports: ["80:80", "8080-8081:80"]}}'), /containers\.c\.ports\[1\]: "8080-8081:80": the host range 8080-8081 and the container range 80 are not the same length/);
  t.same(parseLab('containers: {c: {ports: 8080:80}}').containers[0]!.ports, ['8080:80'], 'a lone mapping is a list of one');
  t.throws(() => parseLab(': : :'), /^file: /);
  t.same(parseLab('containers: {c: {masquerade: false}}'.replace('masquerade: false', 'dns: [10.0.0.1]')).containers[0]!.dns, ['10.0.0.1']);
  t.equal(parseLab('networks: {n: {masquerade: false}}').networks[0]!.masquerade, false);
});

t.test('shapes are checked by the input schemas, in the file\'s own key names', async (t) => {
  t.throws(() => parseLab('containers: {web: {ip: [1, 2]}}'), /^containers\.web\.ip: must be a string$/);
  t.throws(() => parseLab('networks: {n: {aux-address: {a: 1}}}'), /^networks\.n\.aux-address: must be a list$/);
  t.throws(() => parseLab('networks: {n: {internal: perhaps}}'), /^networks\.n\.internal: must be true or false$/);
  t.throws(() => parseLab('containers: {web: {dns-search: [a, [b]]}}'), /^containers\.web\.dns-search\[1\]: must be a string$/);
  t.throws(() => parseLab('containers: {web: {}, web: {}}'), /^containers\.web: is given twice$/);
  t.throws(() => parseLab('networks: {}\nnetworks: {}'), /^lab\.networks: is given twice$/);
  t.same(parseLab('containers: {web: {dns: 10.0.0.1, add-hosts: gw:10.0.0.1}}').containers[0], { name: 'web', dns: ['10.0.0.1'], addHosts: ['gw:10.0.0.1'] }, 'a lone value is a list of one');
  t.same(parseLab('containers: {constructor: {}, hasOwnProperty: {}}').containers.map((c) => c.name), ['constructor', 'hasOwnProperty'], 'Object.prototype names are names');
});

t.test('a lab file over 1 MiB is refused at once; error lines never echo a huge value', async (t) => {
  t.throws(() => parseLab('#'.repeat(LAB_MAX_BYTES + 1)), /^file: is larger than 1 MiB/);
  const dir = mkdtempSync(join(tmpdir(), 'kalab-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.yaml');
  writeFileSync(big, `containers:\n  web: {ip: ${'1'.repeat(10 * 1024 * 1024)}}\n`);
  const e = await readLab(big).catch((x: Error) => x);
  t.match(e, { message: /^\/.*big\.yaml: file: is larger than 1 MiB/, exitCode: 2 });
  const huge = 'x'.repeat(500_000);
  for (const text of [`containers: {${huge}: {}}`, `containers: {web: {${huge}: 1}}`, `containers: {web: {ip: ${huge}}}`, `containers: {web: {mac: "${huge}"}}`]) {
    const m = (() => { try { parseLab(text); return 'accepted'; } catch (x) { return (x as Error).message; } })();
    t.ok(m.length < 300, `a 500k value gives a short line: ${m.slice(0, 90)}`);
  }
});

t.test('parsing is linear: 30k containers take about as long as a 30k-item list', async (t) => {
  const n = 30_000;
  let lab = 'networks: {lab: {subnet: 10.0.0.0/16}}\ncontainers:\n';
  let list = 'containers:\n';
  for (let i = 0; i < n; i++) {
    lab += `  c${i}: {network: lab}\n`;
    list += `  - {network: lab}\n`;
  }
  // The baseline is the yaml parser alone on the same number of entries: a load on the machine
  // slows both alike. The old check of unique keys compared every key with every other (8 s).
  let t0 = performance.now();
  parse(list);
  const base = performance.now() - t0;
  t0 = performance.now();
  t.equal(parseLab(lab).containers.length, n);
  const ms = performance.now() - t0;
  t.ok(ms < 3 * base + 500, `30k entries: ${ms.toFixed(0)} ms, the yaml parser alone ${base.toFixed(0)} ms`);
});

t.test('firewall-backend: a top-level key, given to every network the file declares', async (t) => {
  const lab = parseLab('firewall-backend: none\nnetworks: {a: {}, b: {subnet: 10.0.0.0/24}}');
  t.same(lab.networks.map((n) => [n.name, n.firewall]), [['a', 'none'], ['b', 'none']]);
  t.equal(parseLab('networks: {a: {}}').networks[0]!.firewall, undefined, 'absent: the engine default decides');
  t.throws(() => parseLab('firewall-backend: nftables\nnetworks: {a: {}}'), /^firewall-backend: must be one of iptables, none$/);
  t.throws(() => parseLab('networks: {a: {firewall-backend: none}}'), /^networks\.a\.firewall-backend: unknown key/, 'per network: no (one backend per lab file)');
});

t.test('with a source (a path or <stdin>), each problem is FILE:LINE: PATH: message', async (t) => {
  const src = 'networks:\n  lab:\n    subnet: 10.0.0.0/24\n    subnett: x\ncontainers:\n  c1:\n    network: lab\n    bogus: 1\n';
  t.throws(() => parseLab(src, '<stdin>'), { field: 'networks.lab.subnett', message: /^<stdin>:4: networks\.lab\.subnett: unknown key \(known: [^)]*\)\n<stdin>:8: containers\.c1\.bogus: unknown key \(known: [^)]*\)$/ });
  t.throws(() => parseLab('networks:\n  lab:\n    subnet: 10.0.0.0/24\n    internal: maybe\n', '<stdin>'), { field: 'networks.lab.internal', message: '<stdin>:4: networks.lab.internal: must be true or false' }, 'a bad value: the line of its key');
  t.throws(() => parseLab('networks:\n  lab: {}\nfoo: 1\n', 'lab.yaml'), { message: /^lab\.yaml:3: lab\.foo: unknown key/ });
  t.throws(() => parseLab('a: [\n', '<stdin>'), { field: 'file', message: /^<stdin>:2: file: not valid YAML: / });
  t.throws(() => parseLab('networks:\n  lab: {}\n  lab: {}\n', '<stdin>'), { message: '<stdin>:3: networks.lab: is given twice' }, 'the line of the second one');
  t.throws(() => parseLab('networks:\n  lab:\n    subnett: x\n'), { message: /^networks\.lab\.subnett: unknown key [^)]*\)$/ }, 'no source: the path and the message');
});

t.test('every problem of a file at once, in its order, each with its line and path', async (t) => {
  const src = [
    'networks:', //                                   1
    '  lab:', //                                      2
    '    subnet: 10.201.0.0/24', //                   3
    '    gateway: 10.9.0.1', //                       4
    '    colour: blue', //                            5
    '  other:', //                                    6
    '    subnet: 10.201.0.128/25', //                 7
    '    ip-range: 10.0.0.0/24', //                   8
    'containers:', //                                 9
    '  web:', //                                      10
    '    network: lab', //                            11
    '    ip: 10.9.0.5', //                            12
    '    ports:', //                                  13
    '      - 8080:80', //                             14
    '      - 70000:80', //                            15
    '    aliases: [ok, "bad name"]', //               16
    '  db:', //                                       17
    '    network: lab', //                            18
    '    ip: 10.201.0.7', //                          19
    '    ip: 10.201.0.7', //                          20
    '  db2:', //                                      21
    '    network: lab', //                            22
    '    ip: 10.201.0.7', //                          23
    '    links: [h]', //                              24
    '  h:', //                                        25
    '    network: host', //                           26
    '    ip: 10.201.0.9', //                          27
    '  z:', //                                        28
    '    network: lab', //                            29
    '    ports: ["8080:81", "8080:82"]', //           30
    'firewall-backend: nftables', //                  31
  ].join('\n') + '\n';
  const e = (() => { try { parseLab(src, 'lab.yaml'); } catch (x) { return x as LabFileError; } })();
  t.ok(e instanceof LabFileError, 'one error for the whole file');
  t.equal(e!.exitCode, 2);
  t.same(e!.message.split('\n'), [
    'lab.yaml:4: networks.lab.gateway: 10.9.0.1 is outside the subnet 10.201.0.0/24',
    'lab.yaml:5: networks.lab.colour: unknown key (known: driver, subnet, gateway, ip-range, aux-address, bridge, mtu, internal, masquerade, icc, opt)',
    'lab.yaml:7: networks.other.subnet: 10.201.0.128/25 overlaps network lab (10.201.0.0/24)',
    'lab.yaml:8: networks.other.ip-range: 10.0.0.0/24 is not inside the subnet 10.201.0.128/25',
    'lab.yaml:12: containers.web.ip: 10.9.0.5 is not in network lab (10.201.0.0/24)',
    'lab.yaml:15: containers.web.ports[1]: "70000:80": port 70000 is outside 1-65535',
    'lab.yaml:16: containers.web.aliases[1]: "bad name" is not a valid host name',
    'lab.yaml:20: containers.db.ip: is given twice',
    'lab.yaml:23: containers.db2.ip: 10.201.0.7 is already in use on this network (by container db)',
    'lab.yaml:24: containers.db2.links[0]: container h is in network mode host, not on a network of db2 (lab): a link needs a shared network',
    'lab.yaml:27: containers.h.ip: cannot be set with network mode host (the namespace\'s interfaces are not nslab\'s to configure)',
    'lab.yaml:30: containers.z.ports[1]: host port 0.0.0.0:8080/tcp is given twice (or in overlapping ranges)',
    'lab.yaml:31: firewall-backend: must be one of iptables, none',
  ]);
  t.same(e!.problems[0], { file: 'lab.yaml', line: 4, path: 'networks.lab.gateway', message: '10.9.0.1 is outside the subnet 10.201.0.0/24' }, 'each problem as data too (--json)');
});

t.test('what only two entries together show: a host port twice, an address twice, overlapping subnets', async (t) => {
  const lines = (src: string) => { try { parseLab(src, 'f.yaml'); return []; } catch (x) { return (x as Error).message.split('\n'); } };
  t.same(lines('containers:\n  a:\n    ports: ["8080:80", "127.0.0.1:9000-9001:90-91"]\n  b:\n    ports:\n      - 9001:80\n      - 8080:80/udp\n      - 0.0.0.0:8080:81\n'), [
    'f.yaml:6: containers.b.ports[0]: host port 0.0.0.0:9001/tcp is already published by a (127.0.0.1:9001/tcp)',
    'f.yaml:8: containers.b.ports[2]: host port 0.0.0.0:8080/tcp is already published by a (0.0.0.0:8080/tcp)',
  ], 'udp is another port; a wildcard clashes with an address');
  t.same(lines('containers:\n  a:\n    ports: ["80:80", "70-81:70-81"]\n'), ['f.yaml:3: containers.a.ports[1]: host port 0.0.0.0:80/tcp is given twice (or in overlapping ranges)']);
  t.same(lines('networks:\n  n: {subnet: 10.1.0.0/24}\ncontainers:\n  a: {network: n, ip: 10.1.0.1}\n  b: {network: n, ip: 10.1.0.255}\n  c: {networks: [n], ip: 10.1.0.9}\n'), [
    'f.yaml:4: containers.a.ip: 10.1.0.1 is reserved (gateway or aux address)',
    'f.yaml:5: containers.b.ip: 10.1.0.255 is the broadcast address of 10.1.0.0/24',
  ], 'the default gateway is the first address');
  t.same(lines('networks:\n  a: {subnet: 10.0.0.0/16}\n  b: {subnet: 10.1.0.0/16}\n  c: {subnet: 10.0.4.0/24}\n'), ['f.yaml:4: networks.c.subnet: 10.0.4.0/24 overlaps network a (10.0.0.0/16)']);
  t.same(lines('containers:\n  a: {network: x, links: [b, "zz:db"]}\n  b: {network: y}\n'), ['f.yaml:2: containers.a.links[0]: container b is on y, not on a network of a (x): a link needs a shared network'], 'a container not in the file may be recorded: not a problem of the file');
  t.same(lines('containers:\n  a: {network: nowhere, ip: 10.9.9.9}\n'), [], 'a network not in the file may exist: the engine judges');
});
