// Engine.check and check(repair) on a fake host with one thing broken: the drift named, exactly the repair commands, and no drift after.
import t from 'tap';
import { lab, type Lab } from '../../helpers/engine-lab.js';

async function built(): Promise<Lab> {
  const l = lab({ ipForward: '1' });
  await l.engine.createNetwork({ name: 'uvn', subnet: '10.201.0.0/24' });
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  l.reset();
  return l;
}

const VETH = 'ip -batch - <<link add nv-uvt-a-0 mtu 1500 master nslab-uvn up type veth peer name eth0 mtu 1500 address 02:42:0a:c9:00:02 netns uvt-a | link set nv-uvt-a-0 alias nslab:0a1b2c3d:endpoint:uvt-a:eth0 | link set nv-uvt-a-0 addrgenmode none';
const INSIDE = 'addr add 10.201.0.2/24 brd 10.201.0.255 dev eth0 | link set eth0 up | route add default via 10.201.0.1 dev eth0';

interface Case {
  what: string;
  breakIt: (l: Lab) => void;
  drift: Array<[kind: string, what: RegExp]>;
  repair: string[];
}

const cases: Case[] = [
  {
    what: 'the host end of a veth deleted',
    breakIt: (l) => l.host.ip('link del nv-uvt-a-0'),
    drift: [['link', /veth nv-uvt-a-0\b.*missing/]],
    repair: [VETH, `ip -n uvt-a -batch - <<netns exec uvt-a sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1 | ${INSIDE}`],
  },
  {
    what: 'the address inside removed',
    breakIt: (l) => l.host.ip('addr del 10.201.0.2/24 dev eth0', 'uvt-a'),
    drift: [['address', /10\.201\.0\.2\/24 .*eth0/]],
    repair: ['ip -n uvt-a addr add 10.201.0.2/24 brd 10.201.0.255 dev eth0'],
  },
  {
    what: 'the default route inside removed',
    breakIt: (l) => l.host.ip('route del default', 'uvt-a'),
    drift: [['route', /default route via 10\.201\.0\.1 dev eth0/]],
    repair: ['ip -n uvt-a route add default via 10.201.0.1 dev eth0'],
  },
  {
    what: 'lo down inside',
    breakIt: (l) => l.host.ip('link set lo down', 'uvt-a'),
    drift: [['link', /\blo\b/]],
    repair: ['ip -n uvt-a link set lo up'],
  },
  {
    what: 'the veth taken off the bridge',
    breakIt: (l) => l.host.ip('link set nv-uvt-a-0 nomaster'),
    drift: [['link', /nv-uvt-a-0 .*bridge nslab-uvn/]],
    repair: ['ip link set nv-uvt-a-0 master nslab-uvn up'],
  },
  {
    what: 'the host end of the veth down',
    breakIt: (l) => l.host.ip('link set nv-uvt-a-0 down'),
    drift: [['link', /veth nv-uvt-a-0 .*down/]],
    repair: ['ip link set nv-uvt-a-0 up'],
  },
  {
    what: 'eth0 down inside',
    breakIt: (l) => l.host.ip('link set eth0 down', 'uvt-a'),
    drift: [['link', /eth0 .*down/]],
    repair: ['ip -n uvt-a link set eth0 up'],
  },
  {
    what: "the veth carrying the previous release's alias",
    breakIt: (l) => l.host.ip('link set nv-uvt-a-0 alias nslab:endpoint:uvt-a:eth0'),
    drift: [['link', /nv-uvt-a-0 .*previous release/]],
    repair: ['ip link set nv-uvt-a-0 alias nslab:0a1b2c3d:endpoint:uvt-a:eth0'],
  },
  {
    what: 'an IPv6 address on the bridge port',
    breakIt: (l) => {
      l.host.ip('link set nv-uvt-a-0 addrgenmode eui64');
      l.host.ip('addr add fe80::1/64 dev nv-uvt-a-0');
    },
    drift: [['link', /nv-uvt-a-0 .*IPv6/]],
    // `-6` cannot go on an `ip -batch` line (ip: Object "-6" is unknown): its own process.
    repair: ['ip link set nv-uvt-a-0 addrgenmode none', 'ip -6 addr flush dev nv-uvt-a-0'],
  },
  {
    what: 'resolv.conf deleted',
    breakIt: (l) => l.host.file({ kind: 'rm', path: '/etc/netns/uvt-a/resolv.conf' }),
    drift: [['file', /\/etc\/netns\/uvt-a\/resolv\.conf .*missing/]],
    repair: ['mkdir /etc/netns/uvt-a', 'write /etc/netns/uvt-a/resolv.conf', 'write /etc/netns/uvt-a/hosts'],
  },
  {
    what: 'IPv6 turned back on inside',
    breakIt: (l) => l.host.space('uvt-a').sysctls.set('net.ipv6.conf.eth0.disable_ipv6', '0'),
    drift: [['sysctl', /IPv6 .*eth0/]],
    repair: ['ip -n uvt-a netns exec uvt-a sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1'],
  },
  {
    what: 'the bridge deleted (its port freed)',
    breakIt: (l) => l.host.ip('link del nslab-uvn'),
    drift: [['link', /bridge nslab-uvn .*missing/], ['link', /nv-uvt-a-0 .*bridge nslab-uvn/]],
    repair: [
      'ip -batch - <<link add nslab-uvn address 02:42:0a:c9:00:01 mtu 1500 up type bridge | link set nslab-uvn alias nslab:0a1b2c3d:network:uvn | addr add 10.201.0.1/24 brd 10.201.0.255 dev nslab-uvn',
      'sysctl -w net/ipv6/conf/nslab-uvn/disable_ipv6=1',
      'ip link set nv-uvt-a-0 master nslab-uvn up',
    ],
  },
  {
    what: "the bridge's gateway address removed",
    breakIt: (l) => l.host.ip('addr del 10.201.0.1/24 dev nslab-uvn'),
    drift: [['address', /10\.201\.0\.1\/24 .*nslab-uvn/]],
    repair: ['ip addr add 10.201.0.1/24 brd 10.201.0.255 dev nslab-uvn'],
  },
  {
    what: 'forwarding turned off',
    breakIt: (l) => l.host.setSysctl('net.ipv4.ip_forward', '0'),
    drift: [['sysctl', /ip_forward/]],
    repair: ['sysctl -w net.ipv4.ip_forward=1'],
  },
  {
    what: "the network's rules gone",
    breakIt: (l) => l.iptables.networks.delete('uvn'),
    drift: [['rule', /uvn/]],
    repair: ['fakefw add source-check uvn nslab-uvn 10.201.0.0/24', 'fakefw add traffic uvn masquerade icc external'],
  },
  {
    what: 'the hosts file altered',
    breakIt: (l) => l.host.writeEtc('uvt-a', 'hosts', l.host.readEtc('uvt-a', 'hosts') + '192.0.2.9\tintruder\n'),
    drift: [['file', /\/etc\/netns\/uvt-a\/hosts/]],
    repair: ['mkdir /etc/netns/uvt-a', 'write /etc/netns/uvt-a/resolv.conf', 'write /etc/netns/uvt-a/hosts'],
  },
  {
    what: 'the namespace deleted (its veth with it): rebuilt whole',
    breakIt: (l) => l.host.delNetns('uvt-a'),
    drift: [['netns', /uvt-a/], ['link', /veth nv-uvt-a-0\b/]],
    repair: [
      // The files are intact: not rewritten (only what is missing is made again).
      VETH.replace('<<', '<<netns add uvt-a | '),
      `ip -n uvt-a -batch - <<link set lo up | netns exec uvt-a sysctl -qw net.ipv6.conf.eth0.disable_ipv6=1 | ${INSIDE}`,
    ],
  },
];

for (const c of cases) {
  t.test(`drift: ${c.what}`, async (t) => {
    const l = await built();
    c.breakIt(l);
    const before = l.stateText();
    const r = await l.engine.check(false);
    t.same(r.drift.map((d) => d.kind), c.drift.map(([k]) => k), 'the kinds of drift');
    c.drift.forEach(([, re], i) => t.match(r.drift[i]?.what, re));
    t.equal(r.repaired, false);
    t.same(l.lines(), [], 'check alone changes nothing');
    const fixed = await l.engine.check(true);
    t.equal(fixed.repaired, true);
    t.same(l.lines(), c.repair, 'exactly the repair');
    t.same((await l.engine.check(false)).drift, [], 'nothing left to repair');
    t.equal(l.stateText(), before, 'the records are not changed by a repair');
  });
}

t.test('no drift: check(repair) runs nothing and says so', async (t) => {
  const l = await built();
  t.same(await l.engine.check(true), { drift: [], repaired: false, notes: [] });
  t.same(l.lines(), []);
});

t.test("a link with the bridge's name that is not ours: a conflict, never repaired", async (t) => {
  const l = await built();
  l.host.ip('link del nslab-uvn');
  l.host.ip('link add nslab-uvn type dummy');
  const r = await l.engine.check(true);
  t.match(r.drift.filter((d) => d.kind === 'conflict'), [{ owner: 'network uvn', what: /nslab-uvn/ }]);
  t.notOk(l.lines().some((x) => /nslab-uvn/.test(x)), 'nothing touches the foreign link, and no veth is put on it');
});

t.test('a namespace of a recorded name without nslab mark: reported, neither read nor repaired', async (t) => {
  const l = await built();
  l.host.writeEtc('uvt-a', 'hosts', '127.0.0.1 localhost\n');
  l.host.writeEtc('uvt-a', 'resolv.conf', 'nameserver 192.0.2.1\n');
  const r = await l.engine.check(true);
  t.match(r.drift, [{ kind: 'netns', owner: 'container uvt-a', what: /no nslab mark/ }]);
  t.same(l.lines(), []);
});

t.test('dry-run repair prints the repair and runs nothing', async (t) => {
  const l = await built();
  l.host.ip('route del default', 'uvt-a');
  const r = await l.dry().check(true);
  t.match(r.drift, [{ kind: 'route' }]);
  t.same(l.lines(), []);
  t.match(l.script.join(''), /\nip -n uvt-a route add default via 10\.201\.0\.1 dev eth0\n/);
  t.match((await l.engine.check(false)).drift, [{ kind: 'route' }], 'still missing');
});
