// Bad input: one line naming the field, exit 2, and the host exactly as it was.
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  ['a driver not built yet', ['network', 'create', 'n2', '--driver', 'macvlan'], /^nslab: driver: "macvlan" is not supported yet \(only bridge\)$/],
  ['a driver named like a prototype key', ['network', 'create', 'n2', '--driver', 'constructor'], /^nslab: driver: /],
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

t.test("a foreign /etc/netns entry (even with only resolv.conf) is refused and left alone", async (t) => {
  const name = sb.name('fx');
  mkdirSync(`/etc/netns/${name}`, { recursive: true });
  writeFileSync(`/etc/netns/${name}/resolv.conf`, 'nameserver 192.0.2.99\n');
  try {
    const r = await sb.cli(['container', 'create', name, '--network', 'lab']);
    t.equal(r.code, 2, r.stderr);
    t.match(r.stderr, new RegExp(`^nslab: name: /etc/netns/${name} exists and was not made by nslab`));
    t.equal(readFileSync(`/etc/netns/${name}/resolv.conf`, 'utf8'), 'nameserver 192.0.2.99\n', 'untouched');
    t.equal((await sb.cli(['reset'])).code, 0);
    t.ok(existsSync(`/etc/netns/${name}/resolv.conf`), 'reset does not remove what is not ours');
    // reset also took this file's network: build it again, as t.before made it.
    const again = await sb.cli(['network', 'create', 'lab', '--subnet', '10.201.0.0/24', '--gateway', '10.201.0.1', '--bridge', 'br0']);
    t.equal(again.code, 0, again.stderr);
  } finally {
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
  }
});

t.test('nothing on the host changed', async (t) => {
  t.same(await sb.snapshot(), before);
});
