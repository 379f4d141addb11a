// Bad input: one line naming the field, exit 2, and the host exactly as it was.
import t from 'tap';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('va');
t.teardown(() => sb.down());
let before: Record<string, unknown>;
t.before(async () => {
  const ok = await sb.cli(['network', 'create', 'lab', '--subnet', '10.201.0.0/24', '--gateway', '10.201.0.1', '--bridge', 'br0']);
  if (ok.code !== 0) throw new Error(ok.stderr);
  // A host route the subnet checks must respect.
  await sb.exec(sb.host, ['ip', 'route', 'add', '10.77.0.0/16', 'via', '198.51.100.2']);
  before = await sb.snapshot();
});

const c = sb.name('c1');
const cases: Array<[string, string[], RegExp]> = [
  ['name with /', ['container', 'create', 'a/b', '--network', 'lab'], /^nslab: name: /],
  ['name ..', ['container', 'create', '..', '--network', 'lab'], /^nslab: name: /],
  ['name with leading -', ['network', 'create', '--', '-bad'], /^nslab: name: /],
  ['name with space', ['container', 'create', 'a b', '--network', 'lab'], /^nslab: name: /],
  ['name with ;', ['container', 'create', 'a;reboot', '--network', 'lab'], /^nslab: name: /],
  ['name over 15 chars', ['container', 'create', 'abcdefghijklmnop', '--network', 'lab'], /^nslab: name: .*longer than 15/],
  ['bridge over 15 chars', ['network', 'create', 'n2', '--subnet', '10.202.0.0/24', '--bridge', 'averyverylongbr0'], /^nslab: bridge: /],
  ['cidr with host bits', ['network', 'create', 'n2', '--subnet', '10.202.0.1/24'], /^nslab: subnet: .*host bits/],
  ['cidr with bad prefix', ['network', 'create', 'n2', '--subnet', '10.202.0.0/33'], /^nslab: subnet: /],
  ['cidr garbage', ['network', 'create', 'n2', '--subnet', 'ten/8'], /^nslab: subnet: /],
  ['gateway outside subnet', ['network', 'create', 'n2', '--subnet', '10.202.0.0/24', '--gateway', '10.203.0.1'], /^nslab: gateway: .*outside/],
  ['gateway = network address', ['network', 'create', 'n2', '--subnet', '10.202.0.0/24', '--gateway', '10.202.0.0'], /^nslab: gateway: .*network address/],
  ['gateway = broadcast', ['network', 'create', 'n2', '--subnet', '10.202.0.0/24', '--gateway', '10.202.0.255'], /^nslab: gateway: .*broadcast/],
  ['subnet overlapping a network', ['network', 'create', 'n2', '--subnet', '10.201.0.0/16'], /^nslab: subnet: .*overlaps network lab/],
  ['subnet overlapping a host route', ['network', 'create', 'n2', '--subnet', '10.77.1.0/24'], /^nslab: subnet: .*overlaps the host route 10\.77\.0\.0\/16/],
  ['subnet overlapping a host address', ['network', 'create', 'n2', '--subnet', '198.51.100.0/25'], /^nslab: subnet: .*overlaps/],
  ['--ip outside subnet', ['container', 'create', c, '--network', 'lab', '--ip', '10.9.9.9'], /^nslab: ip: .*outside/],
  ['--ip = network address', ['container', 'create', c, '--network', 'lab', '--ip', '10.201.0.0'], /^nslab: ip: .*network address/],
  ['--ip = broadcast', ['container', 'create', c, '--network', 'lab', '--ip', '10.201.0.255'], /^nslab: ip: .*broadcast/],
  ['--ip = gateway', ['container', 'create', c, '--network', 'lab', '--ip', '10.201.0.1'], /^nslab: ip: .*reserved/],
  ['bad ip', ['container', 'create', c, '--network', 'lab', '--ip', '10.201.0.300'], /^nslab: ip: /],
  ['bad mac', ['container', 'create', c, '--network', 'lab', '--mac', 'zz:42:00:00:00:01'], /^nslab: mac: /],
  ['unknown network', ['container', 'create', c, '--network', 'nosuch'], /^nslab: network: no such network/],
  ['bad mtu', ['network', 'create', 'n2', '--subnet', '10.202.0.0/24', '--mtu', '12'], /^nslab: mtu: /],
  ['unknown -o key', ['network', 'create', 'n2', '-o', 'foo=bar'], /^nslab: opt: unknown option/],
  ['unknown command', ['frobnicate'], /unknown command/],
];

for (const [what, args, msg] of cases) {
  t.test(what, async (t) => {
    const r = await sb.cli(args);
    t.equal(r.code, 2, `exit 2 (stderr: ${r.stderr.trim()})`);
    const lines = r.stderr.trim().split('\n');
    t.equal(lines.length, 1, 'one line');
    t.match(lines[0], msg);
  });
}

t.test('nothing on the host changed', async (t) => {
  t.same(await sb.snapshot(), before);
});
