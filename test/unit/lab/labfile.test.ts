import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LAB_MAX_BYTES, parseLab, readLab } from '../../../src/lab/labfile.js';

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
  t.same(parseLab('containers: {constructor: {}, __proto__: {}}').containers.map((c) => c.name), ['constructor', '__proto__'], 'Object.prototype names are names');
});

t.test('a lab file over 1 MiB is refused at once; error lines never echo a huge value', async (t) => {
  t.throws(() => parseLab('#'.repeat(LAB_MAX_BYTES + 1)), /^file: is larger than 1 MiB/);
  const dir = mkdtempSync(join(tmpdir(), 'kalab-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const big = join(dir, 'big.yaml');
  writeFileSync(big, `containers:\n  web: {ip: ${'1'.repeat(10 * 1024 * 1024)}}\n`);
  const e = await readLab(big).catch((x: Error) => x);
  t.match(e, { message: /^file: .*big\.yaml is larger than 1 MiB/, exitCode: 2 });
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

t.test('with a source (a path or <stdin>), an error names it and the line it is about', async (t) => {
  const src = 'networks:\n  lab:\n    subnet: 10.0.0.0/24\n    subnett: x\ncontainers:\n  c1:\n    network: lab\n    bogus: 1\n';
  t.throws(() => parseLab(src, '<stdin>'), { field: 'networks.lab.subnett', message: /^networks\.lab\.subnett: .* \(<stdin>, line 4\)$/ });
  t.throws(() => parseLab('networks:\n  lab:\n    subnet: 10.0.0.0/24\n    internal: maybe\n', '<stdin>'), { field: 'networks.lab.internal', message: /^networks\.lab\.internal: must be true or false \(<stdin>, line 4\)$/ }, 'a bad value: the line of its key');
  t.throws(() => parseLab(src.replace('subnett: x', 'mtu: 1400'), 'lab.yaml'), { field: 'containers.c1.bogus', message: /^containers\.c1\.bogus: unknown key .* \(lab\.yaml, line 8\)$/ });
  t.throws(() => parseLab('networks:\n  lab: {}\nfoo: 1\n', '<stdin>'), { message: /^lab\.foo: unknown key .* \(<stdin>, line 3\)$/ });
  t.throws(() => parseLab('a: [\n', '<stdin>'), { field: 'file', message: /^file: not valid YAML: .* at line 2 \(<stdin>\)$/ });
  t.throws(() => parseLab('networks:\n  lab: {}\n  lab: {}\n', '<stdin>'), { message: /^networks\.lab: is given twice \(<stdin>, line 2\)$/ });
  t.throws(() => parseLab('networks:\n  lab:\n    subnett: x\n'), { message: /^networks\.lab\.subnett: unknown key [^)]*\)$/ }, 'no source: as before');
});
