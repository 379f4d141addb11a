// The doctor's checks against a fake host: what each fact reads as, and the exit it gives.
import t from 'tap';
import { doctor } from '../../../src/doctor/doctor.js';
import type { HostFacts } from '../../../src/doctor/facts.js';
import { doctorExit, renderFindings, type Finding } from '../../../src/doctor/finding.js';
import { failedLines } from '../../../src/doctor/kernel.js';
import { backendOf, ruleCount } from '../../../src/doctor/tools.js';

interface Fake {
  cmds?: Record<string, { code?: number; stdout?: string; stderr?: string }>;
  files?: Record<string, string>;
  daemon?: boolean;
}

/** A host that answers commands by argv prefix and files by path; everything else is a healthy default. */
function fake(o: Fake = {}): HostFacts & { ran: string[] } {
  const cmds: Record<string, { code?: number; stdout?: string; stderr?: string }> = {
    'ip -V': { stdout: 'ip utility, iproute2-6.1.0\n' },
    'iptables -V': { stdout: 'iptables v1.8.9 (nf_tables)\n' },
    'iptables-legacy-save': { stdout: '' },
    'conntrack --version': { stdout: 'conntrack v1.4.7\n' },
    'unshare --net ip': { stdout: '' },
    'unshare --net iptables': { stdout: '-P PREROUTING ACCEPT\n' },
    'iptables-save': { stdout: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\nCOMMIT\n' },
    'nft list tables': { stdout: '' },
    'ip -json -4 route show': { stdout: JSON.stringify([{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0' }, { dst: '192.0.2.0/24', dev: 'eth0' }]) },
    'ip -json link show dev eth0': { stdout: JSON.stringify([{ ifname: 'eth0', mtu: 1500 }]) },
    ...o.cmds,
  };
  const files: Record<string, string> = {
    '/proc/sys/net/ipv4/ip_forward': '1\n',
    '/proc/sys/net/ipv4/conf/all/rp_filter': '2\n',
    '/proc/sys/net/bridge/bridge-nf-call-iptables': '1\n',
    '/etc/resolv.conf': 'nameserver 192.0.2.53\n',
    ...o.files,
  };
  const ran: string[] = [];
  return {
    ran,
    async run(argv) {
      const line = argv.join(' ');
      ran.push(line);
      const key = Object.keys(cmds).sort((a, b) => b.length - a.length).find((k) => line.startsWith(k));
      const a = key ? cmds[key]! : { code: 127, stderr: `${argv[0]}: not found` };
      return { code: a.code ?? 0, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
    },
    read: (p) => files[p],
    daemon: async () => o.daemon ?? true,
  };
}
const run = (o: Fake = {}) => doctor(fake(o), { socket: '/run/nslab/nslab.sock', root: true });
const level = (fs: Finding[], id: string) => fs.find((f) => f.id === id)?.level;

t.test('a healthy host: every check ok, exit 0', async (t) => {
  const fs = await run();
  t.same(fs.filter((f) => f.level !== 'ok').map((f) => f.id), []);
  t.equal(doctorExit(fs), 0);
  t.match(renderFindings(fs), /doctor: nothing blocks nslab\n$/);
});

t.test('not root: one finding that says sudo, exit 1', async (t) => {
  const fs = await doctor(fake(), { socket: 's', root: false });
  t.equal(fs.length, 1);
  t.equal(fs[0]!.fix, 'sudo nslab doctor');
  t.equal(doctorExit(fs), 1);
});

t.test('missing tools: ip and iptables block, conntrack is a note', async (t) => {
  const fs = await run({ cmds: { 'ip -V': { code: 127 }, 'iptables -V': { code: 127 }, 'conntrack --version': { code: 127 } } });
  t.equal(level(fs, 'tool.ip'), 'fail');
  t.equal(level(fs, 'tool.iptables'), 'fail');
  t.equal(level(fs, 'tool.conntrack'), 'note');
  t.equal(doctorExit(fs), 1);
  t.match(renderFindings(fs), /✗ iptables is missing.*\n    fix: sudo apt install iptables/);
});

t.test('rules in the other iptables backend are a warning', async (t) => {
  const fs = await run({ cmds: { 'iptables-legacy-save': { stdout: '*filter\n-A FORWARD -j ACCEPT\nCOMMIT\n' } } });
  t.equal(level(fs, 'tool.iptables-mix'), 'warn');
});

t.test('kernel: a refused bridge blocks, a refused ipvlan is a note; no namespaces at all blocks', async (t) => {
  let fs = await run({ cmds: { 'unshare --net ip': { code: 1, stderr: 'Error: Unknown device type.\nCommand failed -:1\nError: Unknown device type.\nCommand failed -:4\n' } } });
  t.equal(level(fs, 'kernel.bridge'), 'fail');
  t.equal(level(fs, 'kernel.ipvlan'), 'note');
  t.equal(level(fs, 'kernel.veth'), 'ok');
  fs = await run({ cmds: { 'unshare --net ip': { code: 1, stderr: 'unshare: unshare failed: Operation not permitted' } } });
  t.equal(level(fs, 'kernel.netns'), 'fail');
});

t.test('firewalls: FORWARD DROP and Docker are notes, ufw and firewalld warnings', async (t) => {
  const save = '*nat\n:DOCKER - [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:DOCKER-USER - [0:0]\n:ufw-before-forward - [0:0]\nCOMMIT\n';
  const fs = await run({ cmds: { 'iptables-save': { stdout: save }, 'nft list tables': { stdout: 'table inet firewalld\n' } } });
  t.equal(level(fs, 'firewall.forward-policy'), 'note');
  t.equal(level(fs, 'firewall.docker'), 'note');
  t.equal(level(fs, 'firewall.ufw'), 'warn');
  t.equal(level(fs, 'firewall.firewalld'), 'warn');
  t.equal(doctorExit(fs), 0);
});

t.test('sysctls: ip_forward 0 and strict rp_filter are notes; bridge-nf-call-iptables 0 a warning', async (t) => {
  const fs = await run({ files: { '/proc/sys/net/ipv4/ip_forward': '0\n', '/proc/sys/net/ipv4/conf/all/rp_filter': '1\n', '/proc/sys/net/bridge/bridge-nf-call-iptables': '0\n' } });
  t.equal(level(fs, 'sysctl.ip_forward'), 'note');
  t.equal(level(fs, 'sysctl.rp_filter'), 'note');
  t.equal(level(fs, 'kernel.br_netfilter'), 'warn');
});

t.test('resolvers: a stub with systemd-resolved upstreams is a note; a stub alone a warning', async (t) => {
  let fs = await run({ files: { '/etc/resolv.conf': 'nameserver 127.0.0.53\n', '/run/systemd/resolve/resolv.conf': 'nameserver 192.0.2.10\n' } });
  t.equal(level(fs, 'dns.upstream'), 'note');
  t.match(fs.find((f) => f.id === 'dns.upstream')!.what, /192\.0\.2\.10/);
  fs = await run({ files: { '/etc/resolv.conf': 'nameserver 127.0.0.53\n' } });
  t.equal(level(fs, 'dns.upstream'), 'warn');
});

t.test('routes: the pool partly taken is a note naming the next subnet; wholly taken blocks; a small uplink MTU warns', async (t) => {
  const routes = (extra: object[]) => ({ stdout: JSON.stringify([{ dst: 'default', gateway: '192.0.2.1', dev: 'eth0' }, ...extra]) });
  let fs = await run({ cmds: { 'ip -json -4 route show': routes([{ dst: '172.17.0.0/16', dev: 'docker0' }]), 'ip -json link show dev eth0': { stdout: JSON.stringify([{ mtu: 1450 }]) } } });
  t.match(fs.find((f) => f.id === 'routes.pool')!.what, /172\.17\.0\.0\/16 by 172\.17\.0\.0\/16 dev docker0.*172\.18\.0\.0\/16 next/);
  t.equal(level(fs, 'routes.mtu'), 'warn');
  fs = await run({ cmds: { 'ip -json -4 route show': routes([{ dst: '172.16.0.0/12', dev: 'x' }, { dst: '192.168.0.0/16', dev: 'y' }]) } });
  t.equal(level(fs, 'routes.pool'), 'fail');
  fs = await run({ cmds: { 'ip -json -4 route show': { stdout: '[]' } } });
  t.equal(level(fs, 'routes.uplink'), 'note');
});

t.test('nslabd down is a note with the command that starts it', async (t) => {
  const fs = await run({ daemon: false });
  t.equal(level(fs, 'nslabd'), 'note');
  t.equal(fs.find((f) => f.id === 'nslabd')!.fix, 'sudo systemctl start nslabd');
});

t.test('pure helpers', async (t) => {
  t.equal(backendOf('iptables v1.8.9 (nf_tables)'), 'nf_tables');
  t.equal(backendOf('iptables v1.8.7 (legacy)'), 'legacy');
  t.equal(backendOf('iptables v1.4'), undefined);
  t.same([...failedLines('x\nCommand failed -:2\nCommand failed -:5\n')], [2, 5]);
  t.equal(ruleCount('*filter\n:A - [0:0]\n-A FORWARD -j X\n-A X -j Y\nCOMMIT\n'), 2);
});
