// The seed lab's plan, as the exact script it runs: a snapshot in plain sight.
import t from 'tap';
import { bridgeDriver } from '../../../src/drivers/bridge/driver.js';
import { planContainer as planContainerCreate, planContainerRemove } from '../../../src/engine/plan-container.js';
import { scriptOf } from '../../../src/engine/apply.js';
import { byPhase } from '../../../src/engine/step.js';
import { IptablesFirewall, iptablesView as parseIptablesSave } from '../../../src/firewall/iptables/backend.js';
import { hostTag } from '../../../src/kernel/netns-files.js';
import { useLab } from '../../../src/state/lab-id.js';
import type { HostView } from '../../../src/kernel/observe.js';
import type { Firewall, FirewallView } from '../../../src/firewall/firewall.js';
import type { ContainerRecord, NetworkRecord } from '../../../src/state/types.js';

const fw = new IptablesFirewall();
const planNetworkCreate = (n: NetworkRecord, v: HostView, live: FirewallView, f: Firewall) => bridgeDriver.setup(n, v, { fw: f, live });
const planNetworkRemove = (n: NetworkRecord, v: HostView, live: FirewallView, f: Firewall) => bridgeDriver.teardown(n, v, { fw: f, live });
useLab(() => '0a1b2c3d');
const emptyRules = parseIptablesSave('*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n');
const view: HostView = { links: [], addrs: [], routes: [], netns: new Set(), ipForward: '0', bridgeNfIptables: '0' };
const lab: NetworkRecord = {
  name: 'lab', id: 'x', driver: 'bridge', bridge: 'br0', subnets: [{ subnet: '10.201.0.0/24', gateway: '10.201.0.1', auxAddresses: {} }],
  mtu: 1500, masquerade: true, icc: true, internal: false, created: '',
};
const ctr = (name: string, ip: string): ContainerRecord => ({
  name, id: 'y', mode: 'network', status: 'ready', hostname: name, dns: [], dnsSearch: [], addHosts: [], request: {}, created: '',
  endpoints: [{ network: 'lab', ifname: 'eth0', hostVeth: `nv-${name}-0`, addresses: [{ ip, prefix: 24, gateway: '10.201.0.1' }], mac: '02:42:0a:c9:00:04', aliases: [] }],
});

t.test('network create', async (t) => {
  t.equal(scriptOf(byPhase(planNetworkCreate(lab, view, emptyRules, fw))), [
    '# create bridge br0 for network lab; give bridge br0 the gateway address 10.201.0.1/24',
    "ip -batch - <<'EOF'",
    'link add br0 address 02:42:0a:c9:00:01 mtu 1500 up type bridge',
    'link set br0 alias nslab:0a1b2c3d:network:lab',
    'addr add 10.201.0.1/24 brd 10.201.0.255 dev br0',
    'EOF',
    '# disable IPv6 on bridge br0 (an IPv4-only network)',
    'sysctl -w net/ipv6/conf/br0/disable_ipv6=1',
    '# turn on IPv4 forwarding so the host routes between bridge and uplink',
    'sysctl -w net.ipv4.ip_forward=1',
    '# drop packets from br0 whose source is not in 10.201.0.0/24: containers cannot spoof',
    "iptables-restore --wait --noflush <<'EOF'",
    '*raw',
    ':NSLAB-PREROUTING - [0:0]',
    '-I PREROUTING 1 -m comment --comment nslab -j NSLAB-PREROUTING',
    '-A NSLAB-PREROUTING ! -s 10.201.0.0/24 -i br0 -m comment --comment nslab:0a1b2c3d:net=lab -j DROP',
    'COMMIT',
    'EOF',
    '# MASQUERADE traffic leaving the subnet and accept forwarding for 10.201.0.0/24 on br0',
    "iptables-restore --wait --noflush <<'EOF'",
    '*nat',
    ':NSLAB-POSTROUTING - [0:0]',
    '-I POSTROUTING 1 -m comment --comment nslab -j NSLAB-POSTROUTING',
    '-A NSLAB-POSTROUTING -s 10.201.0.0/24 ! -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j MASQUERADE',
    'COMMIT',
    '*filter',
    ':NSLAB-FORWARD - [0:0]',
    ':NSLAB-ISOLATION-1 - [0:0]',
    ':NSLAB-ISOLATION-2 - [0:0]',
    ':NSLAB-USER - [0:0]',
    '-I FORWARD 1 -m comment --comment nslab -j NSLAB-FORWARD',
    '-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-USER',
    '-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-ISOLATION-1',
    '-A NSLAB-ISOLATION-1 -i br0 ! -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j NSLAB-ISOLATION-2',
    '-A NSLAB-ISOLATION-2 -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j DROP',
    '-A NSLAB-FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT',
    '-A NSLAB-FORWARD -i br0 ! -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT',
    '-A NSLAB-FORWARD -i br0 -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT',
    'COMMIT',
    'EOF',
    "# accept DNS (udp and tcp 53) from br0 to the gateway 10.201.0.1, where nslabd answers the network's names (nothing else of the host is opened)",
    "iptables-restore --wait --noflush <<'EOF'",
    '*filter',
    ':NSLAB-INPUT - [0:0]',
    '-I INPUT 1 -m comment --comment nslab -j NSLAB-INPUT',
    '-A NSLAB-INPUT -d 10.201.0.1/32 -i br0 -p udp -m udp --dport 53 -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT',
    '-A NSLAB-INPUT -d 10.201.0.1/32 -i br0 -p tcp -m tcp --dport 53 -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT',
    'COMMIT',
    'EOF',
    '',
  ].join('\n'));
});

t.test('network create when everything exists plans nothing', async (t) => {
  const live = parseIptablesSave([
    '*raw', ':PREROUTING ACCEPT [0:0]', ':NSLAB-PREROUTING - [0:0]',
    '-A PREROUTING -m comment --comment nslab -j NSLAB-PREROUTING',
    '-A NSLAB-PREROUTING ! -s 10.201.0.0/24 -i br0 -m comment --comment "nslab:0a1b2c3d:net=lab" -j DROP',
    'COMMIT',
    '*nat', ':POSTROUTING ACCEPT [0:0]', ':NSLAB-POSTROUTING - [0:0]',
    '-A POSTROUTING -m comment --comment nslab -j NSLAB-POSTROUTING',
    '-A NSLAB-POSTROUTING -s 10.201.0.0/24 ! -o br0 -m comment --comment "nslab:0a1b2c3d:net=lab" -j MASQUERADE',
    'COMMIT', '*filter', ':FORWARD ACCEPT [0:0]', ':NSLAB-FORWARD - [0:0]', ':NSLAB-USER - [0:0]',
    ':NSLAB-ISOLATION-1 - [0:0]', ':NSLAB-ISOLATION-2 - [0:0]',
    '-A FORWARD -m comment --comment nslab -j NSLAB-FORWARD',
    '-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-USER',
    '-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-ISOLATION-1',
    '-A NSLAB-ISOLATION-1 -i br0 ! -o br0 -m comment --comment "nslab:0a1b2c3d:net=lab" -j NSLAB-ISOLATION-2',
    '-A NSLAB-ISOLATION-2 -o br0 -m comment --comment "nslab:0a1b2c3d:net=lab" -j DROP',
    '-A NSLAB-FORWARD -o br0 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "nslab:0a1b2c3d:net=lab" -j ACCEPT',
    '-A NSLAB-FORWARD -i br0 ! -o br0 -m comment --comment "nslab:0a1b2c3d:net=lab" -j ACCEPT',
    '-A NSLAB-FORWARD -i br0 -o br0 -m comment --comment "nslab:0a1b2c3d:net=lab" -j ACCEPT',
    ':INPUT ACCEPT [0:0]', ':NSLAB-INPUT - [0:0]',
    '-A INPUT -m comment --comment nslab -j NSLAB-INPUT',
    '-A NSLAB-INPUT -d 10.201.0.1/32 -i br0 -p udp -m udp --dport 53 -m comment --comment "nslab:0a1b2c3d:net=lab" -j ACCEPT',
    '-A NSLAB-INPUT -d 10.201.0.1/32 -i br0 -p tcp -m tcp --dport 53 -m comment --comment "nslab:0a1b2c3d:net=lab" -j ACCEPT',
    'COMMIT', '',
  ].join('\n'));
  const have: HostView = {
    ...view, ipForward: '1',
    links: [{ ifname: 'br0', ifindex: 3, mtu: 1500, flags: ['UP'], ifalias: 'nslab:0a1b2c3d:network:lab', linkinfo: { info_kind: 'bridge' } }],
    addrs: [{ ifname: 'br0', addr_info: [{ family: 'inet', local: '10.201.0.1', prefixlen: 24 }] }],
  };
  t.same(planNetworkCreate(lab, have, live, fw), []);
  t.throws(() => planNetworkCreate(lab, { ...have, links: [{ ...have.links[0]!, ifalias: undefined }] }, live, fw), /not nslab's/);
  const rm = scriptOf(planNetworkRemove(lab, have, live, fw));
  t.match(rm, /-D NSLAB-POSTROUTING -s 10\.201\.0\.0\/24 ! -o br0/);
  t.match(rm, '*raw\n-D NSLAB-PREROUTING ! -s 10.201.0.0/24 -i br0 -m comment --comment nslab:0a1b2c3d:net=lab -j DROP\n', 'the source check goes with the network');
  t.match(rm, /ip link del br0/);
});

t.test('internal network: no MASQUERADE, no forwarding out, everything crossing the bridge dropped', async (t) => {
  const script = scriptOf(byPhase(planNetworkCreate({ ...lab, internal: true, masquerade: false }, view, emptyRules, fw)));
  t.notMatch(script, /MASQUERADE/);
  t.match(script, '-A NSLAB-ISOLATION-1 -i br0 ! -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j DROP');
  t.match(script, '-A NSLAB-ISOLATION-1 ! -i br0 -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j DROP');
  t.notMatch(script, /-i br0 ! -o br0 [^\n]*-j ACCEPT/);
  t.notMatch(script, /RELATED,ESTABLISHED/);
  t.match(script, '-A NSLAB-FORWARD -i br0 -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT');
});

t.test('ICC off: DROP between ports, and bridged traffic passed through iptables first', async (t) => {
  const script = scriptOf(byPhase(planNetworkCreate({ ...lab, icc: false }, view, emptyRules, fw)));
  t.match(script, '-A NSLAB-FORWARD -i br0 -o br0 -m comment --comment nslab:0a1b2c3d:net=lab -j DROP');
  t.match(script, 'sysctl -w net.bridge.bridge-nf-call-iptables=1');
  t.notMatch(script, /modprobe/, 'br_netfilter loaded: no modprobe');
  const unloaded = scriptOf(byPhase(planNetworkCreate({ ...lab, icc: false }, { ...view, bridgeNfIptables: undefined }, emptyRules, fw)));
  t.match(unloaded, /\n# pass bridged traffic through iptables [^\n]*\nmodprobe br_netfilter\nsysctl -w net\.bridge\.bridge-nf-call-iptables=1\n/, 'one header over both commands of the step');
  const on = scriptOf(byPhase(planNetworkCreate({ ...lab, icc: false }, { ...view, bridgeNfIptables: '1' }, emptyRules, fw)));
  t.notMatch(on, /bridge-nf-call/, 'already on: nothing to do');
  t.notMatch(scriptOf(byPhase(planNetworkCreate(lab, view, emptyRules, fw))), /bridge-nf-call/, 'ICC on: left alone');
});

t.test('two containers share batches: one host batch, one batch per namespace', async (t) => {
  const host = { nameservers: ['192.0.2.53'], search: ['lab.internal'], options: [] };
  const cx = { nets: { lab }, host, containers: {}, hostPid: 1 };
  const steps = byPhase([...planContainerCreate(ctr('c4', '10.201.0.4'), cx), ...planContainerCreate(ctr('c5', '10.201.0.5'), cx)]);
  const script = scriptOf(steps);
  t.ok(script.includes([
    "ip -batch - <<'EOF'",
    'netns add c4',
    'netns add c5',
    'link add nv-c4-0 mtu 1500 master br0 up type veth peer name eth0 mtu 1500 address 02:42:0a:c9:00:04 netns c4',
    'link set nv-c4-0 alias nslab:0a1b2c3d:endpoint:c4:eth0',
    'link set nv-c4-0 addrgenmode none',
    'link add nv-c5-0 mtu 1500 master br0 up type veth peer name eth0 mtu 1500 address 02:42:0a:c9:00:04 netns c5',
    'link set nv-c5-0 alias nslab:0a1b2c3d:endpoint:c5:eth0',
    'link set nv-c5-0 addrgenmode none',
    'EOF',
  ].join('\n')), 'one host batch');
  t.ok(script.includes([
    '# bring up lo in c4; turn IPv6 off on eth0 inside c4 (network lab has no IPv6): no link-local address to reach it by, no rogue router advertisement obeyed;'
      + ' give eth0 10.201.0.4/24, default route via 10.201.0.1 and bring it up in c4',
    "ip -n c4 -batch - <<'EOF'",
    'link set lo up',
    'netns exec c4 sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1',
    'addr add 10.201.0.4/24 brd 10.201.0.255 dev eth0',
    'link set eth0 up',
    'route add default via 10.201.0.1 dev eth0',
    'EOF',
  ].join('\n')), 'one batch inside c4');
  t.ok(script.includes([
    "cat > /etc/netns/c4/resolv.conf <<'EOF'",
    `# nslab: managed by nslab for container c4 (host ${hostTag()}, lab 0a1b2c3d)`,
    'nameserver 10.201.0.1',
    'nameserver 192.0.2.53',
    'search lab.internal nslab.internal',
    'EOF',
  ].join('\n')), 'resolv.conf');
  for (const c of ['c4', 'c5']) {
    const header = `# write /etc/netns/${c}/resolv.conf and hosts`;
    t.equal(script.split('\n').filter((l) => l === header).length, 1, `${c}: one header over the directory and both files`);
    t.ok(script.includes(`${header}\nmkdir -p /etc/netns/${c}\ncat > /etc/netns/${c}/resolv.conf <<'EOF'\n`), `${c}: the header heads the mkdir`);
    t.match(script, new RegExp(`\nEOF\ncat > /etc/netns/${c}/hosts <<'EOF'\n`), `${c}: hosts follows resolv.conf with no header between`);
  }
  t.equal(scriptOf(planContainerRemove('c4', true)), [
    '# delete network namespace c4 (its veth pairs go with it)',
    'ip netns del c4',
    '# remove /etc/netns/c4',
    'rm -rf /etc/netns/c4',
    '',
  ].join('\n'));
});

t.test('the other modes: host names the host namespace, none is lo only, container binds OTHER', async (t) => {
  const host = { nameservers: ['192.0.2.53'], search: [], options: [] };
  const other = ctr('c4', '10.201.0.4');
  const cx = { nets: { lab }, host, containers: { c4: other }, hostPid: 4242 };
  const mode = (name: string, m: 'host' | 'none' | 'container') => ({ ...ctr(name, ''), mode: m, endpoints: [], ...(m === 'container' ? { shares: 'c4' } : {}) });
  const h = scriptOf(byPhase(planContainerCreate(mode('h', 'host'), cx)));
  t.match(h, "# name the host's own network namespace h (nothing else is created)\nip netns attach h 4242\n");
  t.notMatch(h, /netns add|link add/);
  const n = scriptOf(byPhase(planContainerCreate(mode('n', 'none'), cx)));
  t.match(n, '# create network namespace n\nip netns add n\n# bring up lo in n\nip -n n link set lo up\n');
  t.notMatch(n, /veth|route add/);
  const c = scriptOf(byPhase(planContainerCreate(mode('s', 'container'), cx)));
  t.match(c, ': > /run/netns/s\n');
  t.match(c, 'mount --bind /run/netns/c4 /run/netns/s\n');
  t.match(c, /10\.201\.0\.4\tc4/, "the sharer's hosts file is its host's");
  t.notMatch(c, /veth|netns add/);
  t.equal(scriptOf(planContainerRemove('c4', true, bridgeDriver.detach('c4', other.endpoints[0]!, lab, ' (the namespace outlives c4: it is shared)'))), [
    '# delete veth nv-c4-0 and its peer eth0 inside c4 (the namespace outlives c4: it is shared); delete network namespace c4 (its veth pairs go with it)',
    "ip -batch - <<'EOF'",
    'link del nv-c4-0',
    'netns del c4',
    'EOF',
    '# remove /etc/netns/c4',
    'rm -rf /etc/netns/c4',
    '',
  ].join('\n'));
});

t.test('a new container\'s hosts file is made when it is written: the plan holds no text of it', async (t) => {
  const host = { nameservers: ['192.0.2.53'], search: [], options: [] };
  const c4 = ctr('c4', '10.201.0.4'), c5 = ctr('c5', '10.201.0.5');
  const cx = { nets: { lab }, host, containers: { c4, c5 }, hostPid: 1 };
  const write = planContainerCreate(c4, cx).flatMap((s) => s.apply).find((o) => o.kind === 'write' && o.path === '/etc/netns/c4/hosts')!;
  t.type(Object.getOwnPropertyDescriptor(write, 'content')?.get, 'function', 'a getter, not a string held by the step');
  t.match((write as { content: string }).content, /^10\.201\.0\.5\tc5$/m, 'its text names the other containers of its network when read');
  t.match(scriptOf([{ ...planContainerCreate(c4, cx)[0]!, apply: [write] }]), /cat > \/etc\/netns\/c4\/hosts <<'EOF'\n[^]*10\.201\.0\.5\tc5\n/, 'and is printed as such');
});
