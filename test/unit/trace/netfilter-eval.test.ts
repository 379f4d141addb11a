// The netfilter evaluator on paper, against fixed iptables-save text: order of traversal, jumps, verdicts, NAT rewrites, unknown matches.
import t from 'tap';
import { parseIptablesSave } from '../../../src/firewall/iptables/save.js';
import { evalChain, passHook } from '../../../src/trace/netfilter-eval.js';
import type { HostFacts, Packet } from '../../../src/trace/packet.js';
import { hitWords } from '../../../src/trace/words.js';

/** What nslab wrote for two networks (lab 10.231.0.0/24 on nslab-lab, other on nslab-other) and a published port 8080 → web:80. */
const SAVE = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:NSLAB-PREROUTING - [0:0]
-A PREROUTING -m comment --comment nslab -j NSLAB-PREROUTING
-A NSLAB-PREROUTING ! -s 10.231.0.0/24 -i nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j DROP
-A NSLAB-PREROUTING -d 127.0.0.0/8 ! -i lo -m comment --comment nslab -j DROP
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:NSLAB-FORWARD - [0:0]
:NSLAB-ISOLATION-1 - [0:0]
:NSLAB-ISOLATION-2 - [0:0]
:NSLAB-USER - [0:0]
-A FORWARD -m comment --comment nslab -j NSLAB-FORWARD
-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-USER
-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-ISOLATION-1
-A NSLAB-FORWARD -o nslab-lab -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "nslab:71dd2fe8:net=lab" -j ACCEPT
-A NSLAB-FORWARD -i nslab-lab ! -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j ACCEPT
-A NSLAB-FORWARD -i nslab-lab -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j ACCEPT
-A NSLAB-FORWARD -d 10.231.0.3/32 ! -i nslab-lab -o nslab-lab -p tcp -m tcp --dport 80 -m comment --comment "nslab:71dd2fe8:net=lab:ctr=web" -j ACCEPT
-A NSLAB-ISOLATION-1 -i nslab-lab ! -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j NSLAB-ISOLATION-2
-A NSLAB-ISOLATION-1 -i nslab-other ! -o nslab-other -m comment --comment "nslab:71dd2fe8:net=other" -j NSLAB-ISOLATION-2
-A NSLAB-ISOLATION-2 -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j DROP
-A NSLAB-ISOLATION-2 -o nslab-other -m comment --comment "nslab:71dd2fe8:net=other" -j DROP
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:NSLAB-DNAT - [0:0]
:NSLAB-POSTROUTING - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment nslab -j NSLAB-DNAT
-A POSTROUTING -m comment --comment nslab -j NSLAB-POSTROUTING
-A NSLAB-DNAT -p tcp -m tcp --dport 8080 -m comment --comment "nslab:71dd2fe8:net=lab:ctr=web" -j DNAT --to-destination 10.231.0.3:80
-A NSLAB-POSTROUTING -s 10.231.0.0/24 ! -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j MASQUERADE
COMMIT
`;
const rs = parseIptablesSave(SAVE);
const host: HostFacts = { local: (a) => a === '198.51.100.1' || a.startsWith('127.'), masqueradeSource: (d) => (d === 'eth0' ? '198.51.100.1' : undefined) };
const nets: Record<string, string> = { 'nslab-lab': 'lab', 'nslab-other': 'other' };
const words = (p: Packet) => ({ packet: p, networkOf: (i: string | undefined) => (i ? nets[i] : undefined) });
const pkt = (o: Partial<Packet>): Packet => ({ src: '10.231.0.2', dst: '203.0.113.1', proto: 'icmp', ctstate: 'NEW', ...o });
const targets = (hits: Array<{ target: string }>) => hits.map((h) => h.target);

t.test('to the world: NSLAB-FORWARD accepts, MASQUERADE rewrites the source to the uplink address', async (t) => {
  const fwd = passHook(rs, 'FORWARD', pkt({ in: 'nslab-lab', out: 'eth0' }), host);
  t.equal(fwd.dropped, undefined);
  t.same(targets(fwd.tables[0]!.hits), ['NSLAB-FORWARD', 'NSLAB-USER', 'NSLAB-ISOLATION-1', 'NSLAB-ISOLATION-2', 'ACCEPT'], 'jumps in order, ISOLATION-2 falls through');
  const post = passHook(rs, 'POSTROUTING', pkt({ out: 'eth0' }), host);
  const masq = post.tables.find((x) => x.table === 'nat')!.hits.at(-1)!;
  t.equal(masq.effect, 'masquerade');
  t.equal(post.packet.src, '198.51.100.1');
  t.equal(hitWords(masq, words(pkt({ out: 'eth0' }))), "MASQUERADE by nslab network lab: leaves as the host's address on eth0 (198.51.100.1)");
});

t.test('across two isolated networks: the DROP of NSLAB-ISOLATION-2 is named in lab words', async (t) => {
  const p = pkt({ dst: '10.232.0.2', in: 'nslab-lab', out: 'nslab-other' });
  const r = passHook(rs, 'FORWARD', p, host);
  t.ok(r.dropped);
  t.equal(hitWords(r.dropped!.by as never, words(p)), 'dropped by NSLAB-ISOLATION: networks lab and other may not talk');
});

t.test('a published port from the world: PREROUTING DNAT (addrtype LOCAL), then the port rule accepts it', async (t) => {
  const p = pkt({ src: '203.0.113.1', dst: '198.51.100.1', proto: 'tcp', dport: 8080, in: 'eth0' });
  const pre = passHook(rs, 'PREROUTING', p, host);
  t.equal(pre.packet.dst, '10.231.0.3');
  t.equal(pre.packet.dport, 80);
  const dnat = pre.tables.find((x) => x.table === 'nat')!.hits.at(-1)!;
  t.equal(hitWords(dnat, words(p)), 'DNAT by nslab: the host\'s port 8080/tcp is published by container web (network lab): to 10.231.0.3:80');
  const fwd = passHook(rs, 'FORWARD', { ...pre.packet, out: 'nslab-lab' }, host);
  t.match(hitWords(fwd.tables[0]!.hits.at(-1)!, words(pre.packet)), /new connections from outside to web's published port/);
  // Not to a host address: no DNAT.
  t.equal(passHook(rs, 'PREROUTING', { ...p, dst: '198.51.100.9' }, host).packet.dst, '198.51.100.9');
  // Another port: no DNAT either.
  t.equal(passHook(rs, 'PREROUTING', { ...p, dport: 8081 }, host).packet.dst, '198.51.100.1');
});

t.test('the chain policy decides when no rule does; nat is skipped for an established connection', async (t) => {
  const r = evalChain(rs, 'filter', 'FORWARD', pkt({ in: 'eth1', out: 'eth0' }), host);
  t.same(r.verdict.by, { policy: 'DROP', table: 'filter', chain: 'FORWARD' });
  t.equal(r.verdict.effect, 'drop');
  const reply = passHook(rs, 'POSTROUTING', pkt({ ctstate: 'ESTABLISHED', out: 'eth0' }), host);
  t.same(reply.tables.map((x) => x.table), [], 'no nat for ESTABLISHED');
  const back = passHook(rs, 'FORWARD', pkt({ src: '203.0.113.1', dst: '10.231.0.2', ctstate: 'ESTABLISHED', in: 'eth0', out: 'nslab-lab' }), host);
  t.match(hitWords(back.tables[0]!.hits.at(-1)!, words(pkt({ ctstate: 'ESTABLISHED', out: 'nslab-lab' }))), /a reply into network lab/);
});

t.test('raw: the source check drops a spoofed source, the localhost guard drops 127/8 from outside', async (t) => {
  const spoof = passHook(rs, 'PREROUTING', pkt({ src: '10.9.9.9', in: 'nslab-lab' }), host);
  t.equal(spoof.dropped?.effect, 'drop');
  t.match(hitWords(spoof.dropped!.by as never, words(pkt({ src: '10.9.9.9' }))), /source check: 10.9.9.9 is not in network lab's subnet/);
  t.ok(passHook(rs, 'PREROUTING', pkt({ src: '203.0.113.1', dst: '127.0.0.1', in: 'eth0' }), host).dropped);
  t.notOk(passHook(rs, 'PREROUTING', pkt({ in: 'nslab-lab' }), host).dropped);
});

t.test('hand-written rules: -p, ports, multiport, state, physdev, negation, wildcards; unknown matches are reported and skipped', async (t) => {
  const user = parseIptablesSave(`*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -m set --match-set blocked dst -j DROP
-A FORWARD -i br+ -p udp -m multiport --dports 53,5000:5010 -j LOG
-A FORWARD -p tcp -m tcp ! --dport 22 -m state --state NEW -j ACCEPT
-A FORWARD -m physdev --physdev-in veth1 --physdev-is-bridged -j REJECT --reject-with icmp-port-unreachable
COMMIT
`);
  const udp = evalChain(user, 'filter', 'FORWARD', pkt({ proto: 'udp', dport: 5005, in: 'br0', out: 'br0' }), host);
  t.same(udp.hits.map((h) => h.effect), ['unevaluated', 'continue'], 'the ipset is not evaluated; LOG goes on');
  t.match(udp.hits[0]!.why, /-m set --match-set blocked dst/);
  t.match(hitWords(udp.hits[0]!, words(pkt({}))), /^cannot evaluate .*taken as not matching \(if it matched: -j DROP\)/);
  t.equal(udp.verdict.effect, 'accept');
  t.equal(evalChain(user, 'filter', 'FORWARD', pkt({ proto: 'tcp', dport: 80, in: 'eth1', out: 'eth0' }), host).verdict.effect, 'accept');
  const ssh = evalChain(user, 'filter', 'FORWARD', pkt({ proto: 'tcp', dport: 22, in: 'eth1', out: 'eth0' }), host);
  t.ok('policy' in ssh.verdict.by, '! --dport 22 does not match port 22: the policy decides');
  const bridged = evalChain(user, 'filter', 'FORWARD', pkt({ in: 'br0', out: 'br0', bridged: true, physIn: 'veth1', physOut: 'veth2' }), host);
  t.equal(bridged.verdict.effect, 'reject');
  t.equal(hitWords(bridged.hits.at(-1)!, words(pkt({}))), 'REJECT by a rule nslab did not write (filter FORWARD)');
});

t.test('RETURN and goto', async (t) => {
  const r = parseIptablesSave(`*filter
:FORWARD ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A FORWARD -j A
-A FORWARD -j DROP
-A A -p icmp -j RETURN
-A A -j ACCEPT
-A B -j ACCEPT
COMMIT
`);
  t.equal(evalChain(r, 'filter', 'FORWARD', pkt({}), host).verdict.effect, 'drop', 'RETURN goes back to the caller, whose next rule drops');
  t.equal(evalChain(r, 'filter', 'FORWARD', pkt({ proto: 'tcp', dport: 1 }), host).verdict.effect, 'accept');
});

t.test('hairpin: MASQUERADE with --ctstate DNAT takes a connection DNATed into the bridge, not a direct one', async (t) => {
  const hp = parseIptablesSave(`*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.231.0.3:80
-A POSTROUTING -s 10.231.0.0/24 -d 10.231.0.3/32 -o nslab-lab -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -j MASQUERADE
COMMIT
`);
  const viaHost = passHook(hp, 'PREROUTING', pkt({ dst: '198.51.100.1', proto: 'tcp', dport: 8080, in: 'nslab-lab' }), host).packet;
  t.equal(viaHost.dnat, true, 'DNAT marks the connection');
  const post = passHook(hp, 'POSTROUTING', { ...viaHost, out: 'nslab-lab' }, { ...host, masqueradeSource: () => '10.231.0.1' });
  t.equal(post.packet.src, '10.231.0.1', 'through the host port: masqueraded as the gateway');
  const direct = passHook(hp, 'POSTROUTING', pkt({ dst: '10.231.0.3', proto: 'tcp', dport: 80, in: 'nslab-lab', out: 'nslab-lab', bridged: true }), host);
  t.equal(direct.packet.src, '10.231.0.2', 'straight to the container (bridged, br_netfilter): keeps its address');
});

t.test('REDIRECT sends the packet to the host itself: the address of the interface it came in by, on --to-ports', async (t) => {
  const rd = parseIptablesSave(`*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -i nslab-lab -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128
-A OUTPUT -p tcp -m tcp --dport 81 -j REDIRECT
COMMIT
`);
  const facts = { ...host, masqueradeSource: (d: string) => (d === 'nslab-lab' ? '10.231.0.1' : undefined) };
  const pre = passHook(rd, 'PREROUTING', pkt({ proto: 'tcp', dport: 80, in: 'nslab-lab' }), facts);
  t.same([pre.packet.dst, pre.packet.dport, pre.packet.dnat], ['10.231.0.1', 3128, true]);
  const out = passHook(rd, 'OUTPUT', pkt({ src: '198.51.100.1', proto: 'tcp', dport: 81 }), facts);
  t.same([out.packet.dst, out.packet.dport], ['127.0.0.1', 81], "the host's own packet: to 127.0.0.1, its port kept");
});
