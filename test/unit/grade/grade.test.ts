// The grader's matching against fake kernel views: topology, not names; one ✗ per root cause; hints.
import t from 'tap';
import { grade, labSpecs } from '../../../src/grade/grade.js';
import type { Finding } from '../../../src/grade/finding.js';
import { findingLine } from '../../../src/grade/finding.js';
import type { Lab } from '../../../src/lab/labfile.js';
import { NAT, SEED_LAB, seedView } from '../../helpers/grade-view.js';

const failures = (fs: Finding[]) => fs.filter((f) => !f.ok).map((f) => `${f.object}: ${f.id}`);
const only = (fs: Finding[]) => {
  const bad = fs.filter((f) => !f.ok);
  if (bad.length !== 1) throw new Error(`expected one ✗, got ${bad.map(findingLine).join(' | ')}`);
  return bad[0]!;
};

t.test('the seed typed by hand passes every check, in the student\'s names', async (t) => {
  const { findings, notes } = grade(SEED_LAB, seedView());
  t.same(failures(findings), []);
  t.same(notes, []);
  const lines = findings.map(findingLine);
  t.ok(lines.includes('✓ network lab: a bridge holds 10.201.0.1/24 (br0)'));
  t.ok(lines.includes('✓ container container4: an interface holds 10.201.0.4/24 (veth4)'));
  t.ok(lines.includes('✓ container container5: veth5 is attached to br0 (its peer brid5 is a port of br0)'));
  t.ok(lines.includes('✓ network lab: the bridge is named br0'));
  t.ok(lines.includes('✓ container container4: brid4 (its host end) is up'));
  t.ok(lines.includes('✓ host: net.ipv4.ip_forward is 1'));
  t.same([...new Set(findings.filter((f) => f.object === 'container container4').map((f) => f.id))],
    ['namespace', 'lo-up', 'address', 'link-up', 'attached', 'host-end-up', 'default-route', 'resolv.conf']);
});

t.test('the bridge is the link holding the gateway: any name when the file names none, the file\'s name otherwise', async (t) => {
  const v = seedView();
  for (const l of v.host.links) {
    if (l.ifname === 'br0') l.ifname = 'docker1';
    if (l.master === 'br0') l.master = 'docker1';
  }
  for (const a of v.host.addrs) if (a.ifname === 'br0') a.ifname = 'docker1';
  const unnamed: Lab = { ...SEED_LAB, networks: [{ name: 'lab', subnet: '10.201.0.0/24' }] };
  t.same(failures(grade(unnamed, v).findings), [], 'no name asked for: any name passes (never nslab\'s defaults)');
  const bad = only(grade(SEED_LAB, v).findings);
  t.match(bad, { object: 'network lab', id: 'bridge-name', found: 'it is named docker1' });
  t.equal(bad.hint, 'ip link set dev docker1 down; ip link set dev docker1 name br0; ip link set dev br0 up');
});

t.test('no bridge: one ✗ for the network, none for the containers\' attachment', async (t) => {
  const v = seedView();
  v.host.addrs = v.host.addrs.filter((a) => a.ifname !== 'br0');
  v.host.links = v.host.links.filter((l) => l.ifname !== 'br0').map((l) => ({ ...l, master: undefined }));
  const bad = only(grade(SEED_LAB, v).findings);
  t.match(bad, { object: 'network lab', id: 'bridge', found: 'no link holds 10.201.0.1' });
  t.equal(bad.hint, 'ip link add br0 type bridge; ip link set dev br0 up; ip addr add 10.201.0.1/24 brd 10.201.0.255 dev br0');
  // Nothing built at all: the network's ✗, and each container's, whose fix joins the bridge the network's fix makes.
  const empty = seedView();
  empty.host = { links: [], addrs: [], routes: [] };
  empty.netns.container4!.view = { links: [empty.netns.container4!.view.links[0]!], addrs: [], routes: [] };
  delete empty.netns.container5;
  const r = grade({ ...SEED_LAB, networks: [{ name: 'lab', subnet: '10.201.0.0/24' }] }, empty).findings;
  t.same(failures(r), ['network lab: bridge', 'container container4: address', 'container container5: namespace']);
  t.equal(r.find((f) => f.id === 'address')!.hint, 'ip link add vethcontainer4 type veth peer name eth0 netns container4; '
    + 'ip netns exec container4 ip addr add 10.201.0.4/24 brd 10.201.0.255 dev eth0; ip netns exec container4 ip link set dev eth0 up; '
    + 'ip link set vethcontainer4 master br-lab; ip link set dev vethcontainer4 up; ip netns exec container4 ip route add default via 10.201.0.1');
});

t.test('a bridge of the file\'s name without the gateway address: add it there', async (t) => {
  const v = seedView();
  v.host.addrs = v.host.addrs.filter((a) => a.ifname !== 'br0');
  const bad = only(grade(SEED_LAB, v).findings);
  t.equal(bad.hint, 'ip addr add 10.201.0.1/24 brd 10.201.0.255 dev br0');
});

t.test('the gateway on something that is not a bridge', async (t) => {
  const v = seedView();
  v.host.addrs.push({ ifname: 'eth0', addr_info: [{ family: 'inet', local: '10.201.0.1', prefixlen: 24 }] });
  v.host.addrs = v.host.addrs.filter((a) => a.ifname !== 'br0');
  const bad = only(grade(SEED_LAB, v).findings);
  t.match(bad, { id: 'bridge', found: 'eth0 holds it, and it is a veth, not a bridge' });
});

t.test('the gateway with the wrong prefix: replace it', async (t) => {
  const v = seedView();
  v.host.addrs.find((a) => a.ifname === 'br0')!.addr_info[0]!.prefixlen = 16;
  t.equal(only(grade(SEED_LAB, v).findings).hint, 'ip addr del 10.201.0.1/16 dev br0; ip addr add 10.201.0.1/24 brd 10.201.0.255 dev br0');
});

t.test('a container\'s interface is whatever holds its address; a random one is any address of the subnet', async (t) => {
  const v = seedView();
  const c5 = v.netns.container5!.view;
  c5.links[1]!.ifname = 'weird0';
  c5.addrs[1] = { ifname: 'weird0', addr_info: [{ family: 'inet', local: '10.201.0.77', prefixlen: 24 }] };
  c5.routes[0]!.dev = 'weird0';
  const random: Lab = { ...SEED_LAB, containers: [SEED_LAB.containers[0]!, { name: 'container5', network: 'lab' }] };
  const r = grade(random, v).findings;
  t.same(failures(r), []);
  t.ok(r.some((f) => f.object === 'container container5' && f.found === 'weird0: 10.201.0.77/24'));
  const fixed = only(grade(SEED_LAB, v).findings);
  t.match(fixed, { id: 'address', check: 'an interface holds 10.201.0.5/24', found: 'no interface holds it' });
});

t.test('a missing address: one ✗, its hint adds it (and the default route the kernel took with it)', async (t) => {
  const v = seedView();
  const c5 = v.netns.container5!.view;
  c5.addrs = c5.addrs.filter((a) => a.ifname !== 'veth5');
  c5.routes = [];
  const bad = only(grade(SEED_LAB, v).findings);
  t.match(bad, { id: 'address', found: 'no interface holds it (veth5 holds no IPv4 address)' });
  t.equal(bad.hint, 'ip netns exec container5 ip addr add 10.201.0.5/24 brd 10.201.0.255 dev veth5; ip netns exec container5 ip route add default via 10.201.0.1');
});

t.test('a link down hides the default route the kernel removed; the hint restores both', async (t) => {
  const v = seedView();
  const c5 = v.netns.container5!.view;
  c5.links[1]!.flags = ['BROADCAST', 'MULTICAST'];
  c5.routes = [];
  const bad = only(grade(SEED_LAB, v).findings);
  t.match(bad, { id: 'link-up', found: 'down' });
  t.equal(bad.hint, 'ip netns exec container5 ip link set dev veth5 up; ip netns exec container5 ip route add default via 10.201.0.1');
});

t.test('attachment: the veth peer on the host must be a port of the bridge, and up', async (t) => {
  let v = seedView();
  delete v.host.links.find((l) => l.ifname === 'brid5')!.master;
  t.match(only(grade(SEED_LAB, v).findings), { id: 'attached', found: 'its peer brid5 is on no bridge', hint: 'ip link set brid5 master br0' });
  v = seedView();
  v.host.links.find((l) => l.ifname === 'brid5')!.flags = ['BROADCAST'];
  t.match(only(grade(SEED_LAB, v).findings), { id: 'host-end-up', hint: 'ip link set dev brid5 up' });
  v = seedView();
  v.host.links = v.host.links.filter((l) => l.ifname !== 'brid5');
  t.match(only(grade(SEED_LAB, v).findings), { id: 'attached', found: "the other end of veth5 is not in the host's namespace" });
  v = seedView();
  v.nsids = { 1: '4:104', 2: '4:999' };
  t.match(only(grade(SEED_LAB, v).findings), { id: 'attached', found: "the other end of veth5 is not in the host's namespace" },
    'the indexes match, but the host says brid5\'s peer lives in another namespace');
  v = seedView();
  v.netns.container5!.view.links[1]!.linkinfo = { info_kind: 'macvlan' };
  t.match(only(grade(SEED_LAB, v).findings), { id: 'attached', found: 'veth5 is a macvlan, not one end of a veth pair' });
});

t.test('default route: missing is added, another gateway is replaced', async (t) => {
  const v = seedView();
  v.netns.container4!.view.routes[0]!.gateway = '10.201.0.254';
  const bad = only(grade(SEED_LAB, v).findings);
  t.match(bad, { id: 'default-route', found: 'default via 10.201.0.254 dev veth4' });
  t.equal(bad.hint, 'ip netns exec container4 ip route replace default via 10.201.0.1 dev veth4');
});

t.test('host and firewall checks: ip_forward, FORWARD, MASQUERADE', async (t) => {
  let v = seedView();
  v.ipForward = '0';
  t.match(only(grade(SEED_LAB, v).findings), { object: 'host', id: 'ip-forward', hint: 'sysctl -w net.ipv4.ip_forward=1' });
  v = seedView();
  v.filter = { text: '*filter\n:FORWARD DROP [0:0]\nCOMMIT\n' };
  t.match(only(grade(SEED_LAB, v).findings), { object: 'network lab', id: 'forward', hint: 'iptables --policy FORWARD ACCEPT' });
  v = seedView();
  v.nat = { text: NAT.replace(/^-A POSTROUTING.*\n/m, '') };
  t.match(only(grade(SEED_LAB, v).findings), { id: 'masquerade', hint: 'iptables -t nat -A POSTROUTING -s 10.201.0.0/24 ! -o br0 -j MASQUERADE' });
  const noMasq: Lab = { ...SEED_LAB, networks: [{ ...SEED_LAB.networks[0]!, masquerade: false }] };
  t.same(failures(grade(noMasq, v).findings), [], 'masquerade: false asks for no rule');
});

t.test('resolv.conf: missing, without a nameserver, without the file\'s dns server', async (t) => {
  let v = seedView();
  delete v.files.container5!['resolv.conf'];
  t.match(only(grade(SEED_LAB, v).findings), { id: 'resolv.conf', found: 'the file is missing',
    hint: "mkdir -p /etc/netns/container5 && printf 'nameserver 192.0.2.53\\n' > /etc/netns/container5/resolv.conf" });
  v = seedView();
  v.files.container5!['resolv.conf'] = '# empty\n';
  t.match(only(grade(SEED_LAB, v).findings), { id: 'resolv.conf', found: 'no nameserver line' });
  const dns: Lab = { ...SEED_LAB, containers: [SEED_LAB.containers[0]!, { ...SEED_LAB.containers[1]!, dns: ['10.0.0.53'], dnsSearch: ['lab.internal'] }] };
  v = seedView();
  const r = grade(dns, v).findings;
  t.same(failures(r), ['container container5: dns', 'container container5: dns-search']);
  t.equal(r.find((f) => f.id === 'dns')!.hint, "mkdir -p /etc/netns/container5 && printf 'nameserver 10.0.0.53\\nsearch lab.internal\\n' > /etc/netns/container5/resolv.conf");
  v.files.container5!['resolv.conf'] = 'nameserver 10.201.0.1\nnameserver 10.0.0.53\nsearch lab.internal nslab.internal\n';
  t.same(failures(grade(dns, v).findings), [], 'other servers and domains beside them are fine (nslab puts the gateway first)');
});

t.test('a missing namespace: one ✗, nothing else of that container', async (t) => {
  const v = seedView();
  delete v.netns.container5;
  const r = grade(SEED_LAB, v).findings;
  t.match(only(r), { object: 'container container5', id: 'namespace', hint: 'ip netns add container5' });
  t.equal(r.filter((f) => f.object === 'container container5').length, 1);
});

t.test('modes: host is the host\'s namespace, container:OTHER shares OTHER\'s, none needs lo and resolv.conf', async (t) => {
  const lab: Lab = { networks: [], containers: [{ name: 'h', network: 'host' }, { name: 'a', network: 'none' }, { name: 's', network: 'container:a' }] };
  const v = seedView();
  const lo = seedView().netns.container4!.view;
  v.netns = { h: { id: v.hostId, view: v.host }, a: { id: '4:7', view: { ...lo, links: [lo.links[0]!] } }, s: { id: '4:7', view: lo } };
  v.files = { a: { 'resolv.conf': 'nameserver 192.0.2.53\n' } };
  const r = grade(lab, v).findings;
  t.same(failures(r), []);
  t.same(r.map((f) => `${f.object}: ${f.id}`), ['container h: namespace', 'container a: namespace', 'container a: lo-up', 'container a: resolv.conf', 'container s: namespace']);
  v.netns.s!.id = '4:8';
  v.netns.h!.id = '4:9';
  t.same(failures(grade(lab, v).findings), ['container h: namespace', 'container s: namespace']);
});

t.test('hosts entries and ports only as far as the file asks for them', async (t) => {
  const lab: Lab = { ...SEED_LAB, containers: [
    { ...SEED_LAB.containers[0]!, addHosts: ['gw:10.201.0.1'], links: ['container5:db'], ports: ['8080:80', '127.0.0.1:5353:53/udp'] },
    SEED_LAB.containers[1]!,
  ] };
  const v = seedView();
  const r = grade(lab, v).findings;
  t.same(failures(r), ['container container4: add-hosts', 'container container4: links', 'container container4: port', 'container container4: port']);
  t.equal(r.find((f) => f.id === 'links')!.check, '/etc/netns/container4/hosts maps db to 10.201.0.5');
  t.equal(r.filter((f) => f.id === 'port')[0]!.hint, 'iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL -p tcp --dport 8080 -j DNAT --to-destination 10.201.0.4:80');
  v.files.container4!.hosts = '127.0.0.1 localhost\n10.201.0.1\tgw\n10.201.0.5 container5 db\n';
  v.nat = { text: NAT.replace('COMMIT', '-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.201.0.4:80\n-A PREROUTING -d 127.0.0.1/32 -p udp -m udp --dport 5353 -j DNAT --to-destination 10.201.0.4:53\nCOMMIT') };
  t.same(failures(grade(lab, v).findings), []);
});

t.test('a file that cannot be graded is refused, naming the field', async (t) => {
  t.throws(() => labSpecs({ networks: [], containers: [{ name: 'c', network: 'lab' }] }), { field: 'containers.c.network', message: /network lab is not in the lab file/ });
  t.throws(() => labSpecs({ ...SEED_LAB, containers: [{ name: 'c', network: 'lab', ip: '10.9.0.5' }] }), { field: 'containers.c.ip', message: /10\.9\.0\.5 is not in network lab \(10\.201\.0\.0\/24\)/ });
  t.throws(() => labSpecs({ networks: [{ name: 'lab', subnet: '10.201.0.0/24', gateway: '10.9.0.1' }], containers: [] }), { field: 'networks.lab.gateway' });
});

t.test('a network without a subnet is found by the bridge the file names, or by a container\'s address', async (t) => {
  const byBridge: Lab = { ...SEED_LAB, networks: [{ name: 'lab', bridge: 'br0' }] };
  t.same(failures(grade(byBridge, seedView()).findings), []);
  const byAddress: Lab = { ...SEED_LAB, networks: [{ name: 'lab' }] };
  t.same(failures(grade(byAddress, seedView()).findings), []);
  const lost: Lab = { networks: [{ name: 'lab' }], containers: [{ name: 'container4', network: 'lab' }] };
  t.match(only(grade(lost, seedView()).findings), { object: 'network lab', id: 'bridge', hint: 'give the network a subnet: in the lab file' });
});
