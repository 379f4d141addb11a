// The nat table as students write it: which MASQUERADE and DNAT forms count, and which do not.
import t from 'tap';
import { findDnat, findForward, findMasquerade, isMasqueradeOf } from '../../../src/grade/nat.js';
import { parseCidr4, type Cidr4 } from '../../../src/ipam/cidr.js';

const SUB = parseCidr4('10.201.0.0/24') as Cidr4;
const table = (...rules: string[]) => `*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:MINE - [0:0]\n:LOST - [0:0]\n${rules.join('\n')}\nCOMMIT\n`;
const words = (r: string) => r.split(' ');

t.test('MASQUERADE forms that count for the subnet', async (t) => {
  for (const r of [
    '-s 10.201.0.0/24 -j MASQUERADE', // the seed's
    '-s 10.201.0.0/24 ! -o br0 -j MASQUERADE', // Docker's
    '-s 10.201.0.0/16 -j MASQUERADE', // a wider source
    '-o eth0 -j MASQUERADE', // everything leaving by the uplink
    '-s 10.201.0.0/24 ! -d 10.201.0.0/24 -m comment --comment "mine" -j MASQUERADE',
  ]) t.ok(isMasqueradeOf(words(r), SUB, 'br0'), r);
});

t.test('MASQUERADE forms that do not', async (t) => {
  for (const r of [
    '-s 10.9.0.0/24 -j MASQUERADE', // another subnet
    '-s 10.201.0.0/25 -j MASQUERADE', // half of it
    '! -s 10.201.0.0/24 -j MASQUERADE',
    '-s 10.201.0.0/24 -o br0 -j MASQUERADE', // hairpin only: into the bridge
    '-s 10.201.0.0/24 -p tcp -j MASQUERADE', // tcp only
    '-s 10.201.0.0/24 -d 192.0.2.0/24 -j MASQUERADE', // one destination only
    '-s 10.201.0.0/24 -j SNAT --to-source 198.51.100.1', // another target (not graded as MASQUERADE)
    '-s 10.201.0.0/24 -j MASQUERADE --to-ports 1024-2000',
  ]) t.notOk(isMasqueradeOf(words(r), SUB, 'br0'), r);
});

t.test('reached from POSTROUTING, directly or through chains; an unreached chain does not count', async (t) => {
  t.ok(findMasquerade(table('-A POSTROUTING -s 10.201.0.0/24 -j MASQUERADE'), SUB, 'br0'));
  t.equal(findMasquerade(table('-A POSTROUTING -j MINE', '-A MINE -s 10.201.0.0/24 ! -o br0 -j MASQUERADE'), SUB, 'br0'), '-s 10.201.0.0/24 ! -o br0 -j MASQUERADE');
  t.notOk(findMasquerade(table('-A LOST -s 10.201.0.0/24 -j MASQUERADE'), SUB, 'br0'));
  t.notOk(findMasquerade(table('-A POSTROUTING -j MINE', '-A MINE -j POSTROUTING'), SUB, 'br0'), 'a loop ends');
  t.notOk(findMasquerade(table(), SUB, 'br0'));
  // nslab's own form, as iptables-save prints it.
  t.ok(findMasquerade(table('-A POSTROUTING -m comment --comment nslab -j MINE', '-A MINE -s 10.201.0.0/24 ! -o br0 -m comment --comment "nslab:0123abcd:net=lab" -j MASQUERADE'), SUB, 'br0'));
});

t.test('DNAT of a published port: single, ranged, on one address, reached through a chain', async (t) => {
  const want = { protocol: 'tcp', hostPort: 8080, ip: '10.201.0.4', port: 80 };
  t.ok(findDnat(table('-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.201.0.4:80'), want));
  t.ok(findDnat(table('-A PREROUTING -m addrtype --dst-type LOCAL -j MINE', '-A MINE -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.201.0.4:80'), want));
  t.ok(findDnat(table('-A PREROUTING -p tcp -m tcp --dport 8070:8090 -j DNAT --to-destination 10.201.0.4:70-90'), want), 'a range maps port to port');
  t.notOk(findDnat(table('-A PREROUTING -p tcp -m tcp --dport 8070:8090 -j DNAT --to-destination 10.201.0.4:90-110'), want));
  t.ok(findDnat(table('-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.201.0.4'), { ...want, hostPort: 80 }), 'no port: the same port');
  t.notOk(findDnat(table('-A PREROUTING -p udp -m udp --dport 8080 -j DNAT --to-destination 10.201.0.4:80'), want), 'udp is not tcp');
  t.notOk(findDnat(table('-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.201.0.5:80'), want), 'another container');
  t.notOk(findDnat(table('-A LOST -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.201.0.4:80'), want), 'not reached');
  const local = { ...want, hostIp: '127.0.0.1' };
  t.ok(findDnat(table('-A PREROUTING -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.201.0.4:80'), local));
  t.notOk(findDnat(table('-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.201.0.4:80'), local), 'a host address asked for must be matched');
});

t.test('forwarding: the FORWARD policy ACCEPT, or an ACCEPT of the bridge\'s traffic reached from FORWARD', async (t) => {
  const filter = (policy: string, ...rules: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ${policy} [0:0]\n:MINE - [0:0]\n${rules.join('\n')}\nCOMMIT\n`;
  t.equal(findForward(filter('ACCEPT'), 'br0'), 'policy ACCEPT', 'the seed\'s iptables --policy FORWARD ACCEPT');
  t.notOk(findForward(filter('DROP'), 'br0'));
  t.ok(findForward(filter('DROP', '-A FORWARD -i br0 -j ACCEPT'), 'br0'));
  t.ok(findForward(filter('DROP', '-A FORWARD -j MINE', '-A MINE -i br0 ! -o br0 -j ACCEPT'), 'br0'), "nslab's and Docker's form, through a chain");
  t.notOk(findForward(filter('DROP', '-A FORWARD ! -i br0 -j ACCEPT'), 'br0'));
  t.notOk(findForward(filter('DROP', '-A FORWARD -i br1 -j ACCEPT'), 'br0'));
  t.notOk(findForward(filter('DROP', '-A MINE -i br0 -j ACCEPT'), 'br0'), 'not reached from FORWARD');
});
