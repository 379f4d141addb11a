// NSLAB-INPUT: DNS from a network to its gateway, its own part of the intent, removed with the network and the shared chains.
import t from 'tap';
import { IptablesFirewall, iptablesView } from '../../../../src/firewall/iptables/backend.js';
import { useLab } from '../../../../src/state/lab-id.js';

useLab(() => '0a1b2c3d');
const fw = new IptablesFirewall();
const spec = { name: 'lab', iface: 'br0', subnet: '10.201.0.0/24', gateway: '10.201.0.1', masquerade: true, icc: true, internal: true };
const stdin = (cmds: ReadonlyArray<{ stdin?: string }>) => cmds.map((c) => c.stdin ?? '').join('');
const UDP = '-A NSLAB-INPUT -d 10.201.0.1/32 -i br0 -p udp -m udp --dport 53 -m comment --comment "nslab:0a1b2c3d:net=lab" -j ACCEPT';
const TCP = UDP.replace(/udp/g, 'tcp');

t.test('a network with a gateway: the chain, its jump first in INPUT, udp and tcp 53 to the gateway (internal ones too)', async (t) => {
  const dns = fw.ensureNetwork(iptablesView(''), spec).find((c) => c.part === 'dns')!;
  t.equal(stdin(dns.apply), '*filter\n:NSLAB-INPUT - [0:0]\n-I INPUT 1 -m comment --comment nslab -j NSLAB-INPUT\n'
    + '-A NSLAB-INPUT -d 10.201.0.1/32 -i br0 -p udp -m udp --dport 53 -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT\n'
    + '-A NSLAB-INPUT -d 10.201.0.1/32 -i br0 -p tcp -m tcp --dport 53 -m comment --comment nslab:0a1b2c3d:net=lab -j ACCEPT\nCOMMIT\n');
  t.equal(dns.missing.length, 4, 'chain, jump and two rules, each named');
  t.notOk(fw.ensureNetwork(iptablesView(''), { ...spec, gateway: undefined }).some((c) => c.part === 'dns'), 'no gateway, no DNS rules');
});

t.test('present: nothing to do; removed with the network; the shared chain and jump go last', async (t) => {
  const live = iptablesView(['*filter', ':INPUT DROP [0:0]', ':NSLAB-INPUT - [0:0]', '-A INPUT -m comment --comment nslab -j NSLAB-INPUT', UDP, TCP, 'COMMIT', ''].join('\n'));
  t.notOk(fw.ensureNetwork(live, spec).some((c) => c.part === 'dns'));
  t.match(stdin(fw.removeNetwork(live, spec)), /-D NSLAB-INPUT -d 10\.201\.0\.1\/32 -i br0 -p udp[^\n]*\n-D NSLAB-INPUT -d 10\.201\.0\.1\/32 -i br0 -p tcp/);
  t.same(fw.removeShared(live), [], 'while a network rule is left, the chain stays');
  const bare = iptablesView(['*filter', ':INPUT DROP [0:0]', ':NSLAB-INPUT - [0:0]', '-A INPUT -m comment --comment nslab -j NSLAB-INPUT', 'COMMIT', ''].join('\n'));
  t.equal(stdin(fw.removeShared(bare)), '*filter\n-D INPUT -m comment --comment nslab -j NSLAB-INPUT\n-X NSLAB-INPUT\nCOMMIT\n');
  t.same(fw.orphans(live, () => false).removed.length, 2, 'gc: the rules of an unrecorded network');
});

t.test('copies commented as the release before lab ids did are retired once the new ones are in', async (t) => {
  const old = (r: string) => r.replace('nslab:0a1b2c3d:net=lab', 'nslab:net=lab');
  const live = iptablesView(['*filter', ':INPUT ACCEPT [0:0]', ':NSLAB-INPUT - [0:0]', '-A INPUT -m comment --comment nslab -j NSLAB-INPUT', UDP, TCP, old(UDP), old(TCP), 'COMMIT', ''].join('\n'));
  const retire = fw.ensureNetwork(live, spec).find((c) => c.part === 'old-copies');
  t.match(stdin(retire?.apply ?? []), /-D NSLAB-INPUT -d 10\.201\.0\.1\/32 -i br0 -p udp -m udp --dport 53 -m comment --comment nslab:net=lab -j ACCEPT\n-D NSLAB-INPUT [^\n]*-p tcp[^\n]*nslab:net=lab -j ACCEPT/);
});
