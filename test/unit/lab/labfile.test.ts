import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseLab } from '../../../src/lab/labfile.js';

t.test('the example lab parses', async (t) => {
  const lab = parseLab(readFileSync(new URL('../../../examples/docker0-by-hand.yaml', import.meta.url), 'utf8'));
  t.same(lab.networks.map((n) => [n.name, n.subnet, n.bridge]), [['lab', '10.201.0.0/24', 'br0']]);
  t.same(lab.containers.map((c) => [c.name, c.network, c.ip]), [['container4', 'lab', '10.201.0.4'], ['container5', 'lab', '10.201.0.5']]);
});

t.test('errors name the key', async (t) => {
  t.throws(() => parseLab('networks: {lab: {subnett: 10.0.0.0/24}}'), /^networks\.lab\.subnett: unknown key/);
  t.throws(() => parseLab('foo: 1'), /^lab\.foo: unknown key/);
  t.throws(() => parseLab('containers: {c: {ports: ["80:80"]}}'), /containers\.c\.ports: is not supported yet/);
  t.throws(() => parseLab(': : :'), /^file: /);
  t.same(parseLab('containers: {c: {masquerade: false}}'.replace('masquerade: false', 'dns: [10.0.0.1]')).containers[0]!.dns, ['10.0.0.1']);
  t.equal(parseLab('networks: {n: {masquerade: false}}').networks[0]!.masquerade, false);
});
