// The bridge driver alone: what it plans against an observed host, the findings check reports,
// conflicts, and what rebuild-state adopts. Pure: views in, steps out.
import t from 'tap';
import { bridgeDriver } from '../../../src/drivers/bridge/driver.js';
import { checkDriverName, driverOf, DRIVER_NAMES } from '../../../src/drivers/registry.js';
import type { InsideView } from '../../../src/drivers/driver.js';
import { ValidationError } from '../../../src/errors.js';
import { NoFirewall } from '../../../src/firewall/none/backend.js';
import type { HostView } from '../../../src/kernel/observe.js';
import type { LinkInfo } from '../../../src/kernel/link.js';
import { useLab } from '../../../src/state/lab-id.js';
import type { BridgeNetwork, EndpointRecord } from '../../../src/state/types.js';
import { argvOf, type Command } from '../../../src/exec/command.js';

useLab(() => '0a1b2c3d');
const none = { fw: new NoFirewall(), live: { backend: 'none' as const } };
const net: BridgeNetwork = {
  name: 'lab', id: 'x', driver: 'bridge', bridge: 'br0', subnets: [{ subnet: '10.201.0.0/24', gateway: '10.201.0.1', auxAddresses: {} }],
  mtu: 1500, masquerade: true, icc: true, internal: false, firewall: 'none', created: '',
};
const ep: EndpointRecord = { network: 'lab', ifname: 'eth0', hostVeth: 'nv-c-0', addresses: [{ ip: '10.201.0.4', prefix: 24, gateway: '10.201.0.1' }], mac: '02:42:0a:c9:00:04', aliases: [] };
const link = (o: Partial<LinkInfo> & { ifname: string }): LinkInfo => ({ ifindex: 1, mtu: 1500, flags: ['UP'], ...o });
const bridgeLink = link({ ifname: 'br0', ifalias: 'nslab:0a1b2c3d:network:lab', linkinfo: { info_kind: 'bridge' } });
const port = link({ ifname: 'nv-c-0', master: 'br0', ifalias: 'nslab:0a1b2c3d:endpoint:c:eth0', linkinfo: { info_kind: 'veth' }, inet6_addr_gen_mode: 'none' });
const host: HostView = {
  links: [bridgeLink, port], addrs: [{ ifname: 'br0', addr_info: [{ family: 'inet', local: '10.201.0.1', prefixlen: 24 }] }],
  routes: [], netns: new Set(['c']), ipForward: '1', bridgeNfIptables: '1',
};
const inside: InsideView = {
  links: [link({ ifname: 'lo' }), link({ ifname: 'eth0', address: ep.mac })],
  addrs: [{ ifname: 'eth0', addr_info: [{ family: 'inet', local: '10.201.0.4', prefixlen: 24 }] }],
  routes: [{ dst: 'default', gateway: '10.201.0.1', dev: 'eth0' }],
  sysctls: { 'net.ipv6.conf.eth0.disable_ipv6': '1' },
};
const lines = (steps: ReadonlyArray<{ apply: readonly unknown[] }>) => steps.flatMap((s) => s.apply.map((o) => argvOf(o as Command).join(' ')));
const attached = (seen?: { host: HostView; inside: InsideView }) => {
  const s = bridgeDriver.attach('c', ep, net, true, seen);
  return [...s.host, ...s.inside];
};

t.test('the registry: bridge is the only driver; other names are refused naming the field', async (t) => {
  t.same(DRIVER_NAMES, ['bridge']);
  t.equal(driverOf(net), bridgeDriver);
  t.throws(() => checkDriverName('driver', 'macvlan'), new ValidationError('driver', '"macvlan" is not supported yet (only bridge)'));
  t.throws(() => checkDriverName('driver', 'constructor'), ValidationError, 'a prototype name is not a driver');
});

t.test('setup against a host that has it all plans nothing; each missing part is a step with its finding', async (t) => {
  t.same(bridgeDriver.setup(net, host, none), []);
  const down = bridgeDriver.setup(net, { ...host, links: [{ ...bridgeLink, flags: [] }] }, none);
  t.same(lines(down), ['ip link set br0 up']);
  t.same(down.flatMap((s) => s.findings), [{ kind: 'link', what: 'bridge br0 is down' }]);
  const bare = bridgeDriver.setup(net, { ...host, addrs: [], ipForward: '0' }, none);
  t.same(bare.flatMap((s) => s.findings.map((f) => f.kind)), ['address', 'sysctl']);
  t.match(lines(bare), ['ip addr add 10.201.0.1/24 brd 10.201.0.255 dev br0', 'sysctl -w net.ipv4.ip_forward=1']);
  const fresh = bridgeDriver.setup(net, { ...host, links: [], addrs: [] }, none);
  t.same(fresh.map((s) => s.id), ['lab/bridge', 'lab/gateway', 'lab/ipv6-off'], 'from nothing: bridge, gateway (in its ip -batch), IPv6 off');
});

t.test('a bridge name held by something else: a conflict for check, a refusal for create', async (t) => {
  const foreign = { ...host, links: [{ ...bridgeLink, ifalias: 'nslab:ffffffff:network:lab' }] };
  t.match(bridgeDriver.conflict(net, foreign), /another nslab lab's \(lab ffffffff\)/);
  t.throws(() => bridgeDriver.setup(net, foreign, none), /already exists and is not nslab's bridge/);
  t.equal(bridgeDriver.conflict(net, host), undefined);
  t.throws(() => bridgeDriver.teardown(net, { ...host, links: [bridgeLink, link({ ifname: 'eth9', master: 'br0' })] }, none), /still has ports \(eth9\)/);
});

t.test('attach from nothing: the veth, IPv6 off on both ends, address, link and route', async (t) => {
  t.same(lines(attached()), [
    'ip link add nv-c-0 mtu 1500 master br0 up type veth peer name eth0 mtu 1500 address 02:42:0a:c9:00:04 netns c',
    'ip link set nv-c-0 alias nslab:0a1b2c3d:endpoint:c:eth0',
    'ip link set nv-c-0 addrgenmode none',
    'ip -n c netns exec c sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1',
    'ip -n c addr add 10.201.0.4/24 brd 10.201.0.255 dev eth0',
    'ip -n c link set eth0 up',
    'ip -n c route add default via 10.201.0.1 dev eth0',
  ]);
  t.notOk(lines(bridgeDriver.attach('c', ep, { ...net, internal: true }, true).inside).some((l) => l.includes('route')), 'internal: no way out, no default route');
  t.notOk(lines(bridgeDriver.attach('c', ep, { ...net, mtu: 1200 }, true).host).some((l) => l.includes('addrgenmode')), 'below 1280: no IPv6 to turn off');
});

t.test('attach against what check saw: only what is missing, each step saying what it mends', async (t) => {
  t.same(attached({ host, inside }), [], 'all there: nothing');
  const noAddr = attached({ host, inside: { ...inside, addrs: [], routes: [] } });
  t.same(noAddr.flatMap((s) => s.findings), [
    { kind: 'address', what: '10.201.0.4/24 is missing from eth0' },
    { kind: 'route', what: 'default route via 10.201.0.1 dev eth0 is missing' },
  ]);
  t.same(lines(noAddr), ['ip -n c addr add 10.201.0.4/24 brd 10.201.0.255 dev eth0', 'ip -n c route add default via 10.201.0.1 dev eth0']);
  const loose = attached({ host: { ...host, links: [bridgeLink, { ...port, master: undefined, flags: [], inet6_addr_gen_mode: 'eui64' }] }, inside: { ...inside, sysctls: {} } });
  t.same(loose.flatMap((s) => s.findings.map((f) => f.kind)), ['link', 'link', 'link', 'sysctl']);
  t.match(lines(loose), ['ip link set nv-c-0 master br0 up', 'ip link set nv-c-0 addrgenmode none', 'ip -6 addr flush dev nv-c-0', /disable_ipv6=1/]);
  const gone = attached({ host: { ...host, links: [bridgeLink] }, inside: { ...inside, links: [link({ ifname: 'lo' })] } });
  t.same(gone[0]!.findings, [{ kind: 'link', what: 'veth nv-c-0 (eth0 on lab) is missing' }], 'the veth gone: remade whole');
  t.equal(lines(gone).length, 7);
});

t.test('a host end that is not this lab\'s is a conflict; the previous release\'s mark is re-marked', async (t) => {
  t.match(bridgeDriver.endpointConflict('c', ep, { ...host, links: [bridgeLink, { ...port, ifalias: 'someone' }] }), /is not this lab's \(alias someone\)/);
  t.equal(bridgeDriver.endpointConflict('c', ep, host), undefined);
  const old = attached({ host: { ...host, links: [bridgeLink, { ...port, ifalias: 'nslab:endpoint:c:eth0' }] }, inside });
  t.same(lines(old), ['ip link set nv-c-0 alias nslab:0a1b2c3d:endpoint:c:eth0']);
});

t.test('gc, inspect and rebuild-state through the driver', async (t) => {
  t.same(bridgeDriver.hostLinks(net), ['br0']);
  t.same(bridgeDriver.endpointLinks(ep), ['nv-c-0']);
  t.same(bridgeDriver.endpointView(ep, net), { HostVeth: 'nv-c-0', Bridge: 'br0' });
  t.equal(bridgeDriver.options(net)['com.docker.network.bridge.name'], 'br0');
  const notes: string[] = [];
  const adopted = bridgeDriver.adopt(host, () => ({ backend: 'iptables', masquerade: false, icc: false, internal: true }), notes);
  t.match(adopted, [{ name: 'lab', bridge: 'br0', subnets: [{ subnet: '10.201.0.0/24', gateway: '10.201.0.1' }], icc: false, internal: true, firewall: 'iptables' }]);
  t.same(bridgeDriver.markedFor('c', host), ['nv-c-0']);
  t.match(bridgeDriver.adoptEndpoints('c', host, inside, adopted, notes), [{ network: 'lab', ifname: 'eth0', hostVeth: 'nv-c-0', mac: ep.mac, addresses: [{ ip: '10.201.0.4', prefix: 24 }] }]);
  t.same(notes, []);
  t.same(bridgeDriver.adoptEndpoints('c', host, inside, [], notes), [], 'no adopted network for its bridge: skipped');
  t.match(notes, [/eth0 has no network or address: skipped/]);
});

t.test('detach deletes exactly the endpoint\'s veth; a record with a bad bridge name is refused', async (t) => {
  t.same(lines(bridgeDriver.detach('c', ep, net, '')), ['ip link del nv-c-0']);
  t.throws(() => bridgeDriver.checkRecord({ ...net, bridge: 'br0; rm -rf /' }), ValidationError);
  t.throws(() => bridgeDriver.checkRecord({ ...net, mtu: 10 }), ValidationError);
});
