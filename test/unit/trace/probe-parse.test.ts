// The kernel's trace of a probe (xtables-monitor --trace, as captured in a sandbox) read into rules and compared with the paper trace.
import t from 'tap';
import type { TraceResult } from '../../../src/trace/hops.js';
import { compare, parseMonitor } from '../../../src/trace/probe-parse.js';
import { traceRuleSpec } from '../../../src/trace/probe-commands.js';

/** One ping from 10.231.0.2 to the world, as xtables-monitor --trace --event printed it (two trace ids: before and after routing). */
const MONITOR = ` EVENT: -4 -t raw -A PREROUTING -s 10.231.0.2/32 -d 198.51.100.2/32 -p icmp -m icmp --icmp-type 8 -m comment --comment "nslab-trace:42" -j TRACE
PACKET: 2 2fbab3e7 IN=nslab-lab MACSRC=2:42:a:e7:0:2 MACDST=2:42:a:e7:0:1 MACPROTO=0800 SRC=10.231.0.2 DST=198.51.100.2 LEN=84 TOS=0x0 TTL=64 ID=3865 DF
 TRACE: 2 2fbab3e7 raw:PREROUTING:rule:0x8:CONTINUE  -4 -t raw -A PREROUTING -s 10.231.0.2/32 -d 198.51.100.2/32 -p icmp -m icmp --icmp-type 8 -m comment --comment "nslab-trace:42" -j TRACE
 TRACE: 2 2fbab3e7 raw:PREROUTING:rule:0x4:JUMP:NSLAB-PREROUTING  -4 -t raw -A PREROUTING -m comment --comment nslab -j NSLAB-PREROUTING
 TRACE: 2 2fbab3e7 raw:PREROUTING:policy:ACCEPT
PACKET: 2 eceadd38 IN=nslab-lab OUT=eth0 SRC=10.231.0.2 DST=198.51.100.2 LEN=84 TOS=0x0 TTL=63 ID=3865 DF
 TRACE: 2 eceadd38 filter:FORWARD:rule:0x7:JUMP:NSLAB-FORWARD  -4 -t filter -A FORWARD -m comment --comment nslab -j NSLAB-FORWARD
 TRACE: 2 eceadd38 filter:NSLAB-FORWARD:rule:0xd:ACCEPT  -4 -t filter -A NSLAB-FORWARD -i nslab-lab ! -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j ACCEPT
PACKET: 2 eceadd38 OUT=eth0 SRC=10.231.0.2 DST=198.51.100.2 LEN=84 TOS=0x0 TTL=63 ID=3865 DF
 TRACE: 2 eceadd38 nat:POSTROUTING:rule:0x4:JUMP:NSLAB-POSTROUTING  -4 -t nat -A POSTROUTING -m comment --comment nslab -j NSLAB-POSTROUTING
 TRACE: 2 eceadd38 nat:NSLAB-POSTROUTING:rule:0x5:ACCEPT  -4 -t nat -A NSLAB-POSTROUTING -s 10.231.0.0/24 ! -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j MASQUERADE
 TRACE: 2 eceadd38 nat:NSLAB-POSTROUTING:rule:0x5:ACCEPT  -4 -t nat -A NSLAB-POSTROUTING -s 10.231.0.0/24 ! -o nslab-lab -m comment --comment "nslab:71dd2fe8:net=lab" -j MASQUERADE
`;
const packet = { src: '10.231.0.2', dst: '198.51.100.2', proto: 'icmp' as const, ctstate: 'NEW' as const };
const hits = parseMonitor(MONITOR, 'nslab-trace:42', (i) => (i === 'nslab-lab' ? 'lab' : undefined), packet);

t.test('each traced rule in order, without the probe\'s own rule and without repeats, named in lab words', async (t) => {
  t.same(hits.map((h) => `${h.table}/${h.chain} ${h.verdict}`), [
    'raw/PREROUTING JUMP:NSLAB-PREROUTING', 'raw/PREROUTING ACCEPT', 'filter/FORWARD JUMP:NSLAB-FORWARD',
    'filter/NSLAB-FORWARD ACCEPT', 'nat/POSTROUTING JUMP:NSLAB-POSTROUTING', 'nat/NSLAB-POSTROUTING ACCEPT',
  ]);
  t.equal(hits[1]!.line, undefined, 'a policy line has no rule');
  t.equal(hits[3]!.words, 'accepted by NSLAB-FORWARD: network lab may send out of its bridge');
  t.match(hits[5]!.words, /^MASQUERADE by nslab network lab: leaves as the host's address on eth0/);
});

t.test('the own rule is known by its whole marker: probe 4 is not probe 42', async (t) => {
  const of4 = parseMonitor(MONITOR, 'nslab-trace:4', () => undefined, packet);
  t.equal(of4.length, hits.length + 1, 'the rule of probe 42 is a rule like any other for probe 4');
  t.match(of4[0]!.line, /nslab-trace:42/);
});

/** A paper trace holding the given rules (table, line) in one hop. */
function paper(rules: Array<[string, string]>, policies: Array<[string, string]> = []): TraceResult {
  const tables = rules.map(([table, line]) => ({ table: table as 'nat', rules: [{ table: table as 'nat', chain: '', line, target: '', effect: 'accept' as const, words: 'w' }], verdict: 'w' }));
  const hops = [{ kind: 'netfilter' as const, at: 'host', text: '', tables }, ...policies.map(([table, hook]) => ({ kind: 'netfilter' as const, at: 'host', text: '', hook: hook as 'PREROUTING', tables: [{ table: table as 'raw', rules: [], verdict: 'policy' }] }))];
  return { src: 'a', dst: 'b', packet, hops, outcome: { kind: 'left', text: '' }, reply: [], commands: [] };
}

t.test('compare: the same rules however quoted agree; a rule on one side only is named', async (t) => {
  const all: Array<[string, string]> = hits.filter((h) => h.line).map((h) => [h.table, h.line!.replace('nslab:71dd2fe8:net=lab', '"nslab:71dd2fe8:net=lab"')]);
  t.same(compare(paper(all, [['raw', 'PREROUTING']]), hits), []);
  const missing = compare(paper(all.slice(0, -1), [['raw', 'PREROUTING']]), hits);
  t.same(missing, ['hit but not inferred: nat -A NSLAB-POSTROUTING -s 10.231.0.0/24 ! -o nslab-lab -m comment --comment nslab:71dd2fe8:net=lab -j MASQUERADE']);
  const extra = compare(paper([...all, ['filter', '-A NSLAB-FORWARD -j DROP']], [['raw', 'PREROUTING']]), hits);
  t.same(extra, ['inferred but not hit: filter -A NSLAB-FORWARD -j DROP']);
});

t.test('the trace rule matches this packet only: addresses, protocol, port (tcp: the SYN), the marker', async (t) => {
  t.same(traceRuleSpec({ src: '10.0.0.2', dst: '10.0.0.3', proto: 'tcp', dport: 80 }, 'nslab-trace:1'),
    ['-s', '10.0.0.2/32', '-d', '10.0.0.3/32', '-p', 'tcp', '-m', 'tcp', '--dport', '80', '--syn', '-m', 'comment', '--comment', 'nslab-trace:1', '-j', 'TRACE']);
  t.same(traceRuleSpec({ src: '10.0.0.2', dst: '10.0.0.3', proto: 'icmp' }, 'm').slice(4, 9), ['-p', 'icmp', '-m', 'icmp', '--icmp-type']);
});
