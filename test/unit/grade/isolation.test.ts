// The grader's isolation checks, walked through the filter table on paper: two networks do not
// talk, icc false drops traffic between a network's containers, internal drops what crosses the
// bridge's edge — in the student's form of rule or nslab's, and with a fix naming what is open.
import t from 'tap';
import { grade } from '../../../src/grade/grade.js';
import { findingLine, type Finding } from '../../../src/grade/finding.js';
import type { Lab } from '../../../src/lab/labfile.js';
import { SEED_LAB, seedView } from '../../helpers/grade-view.js';

const TWO: Lab = { ...SEED_LAB, networks: [...SEED_LAB.networks, { name: 'other', subnet: '10.202.0.0/24', bridge: 'br1' }] };

/** The seed view with a second bridge br1 holding 10.202.0.1/24, and `filter` as the filter table's rules. */
function view(filter: string, policy = 'ACCEPT') {
  const v = seedView();
  v.host.links.push({ ifname: 'br1', ifindex: 9, mtu: 1500, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], linkinfo: { info_kind: 'bridge' } });
  v.host.addrs.push({ ifname: 'br1', addr_info: [{ family: 'inet', local: '10.202.0.1', prefixlen: 24 }] });
  v.filter = { text: `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ${policy} [0:0]\n:OUTPUT ACCEPT [0:0]\n${filter}COMMIT\n` };
  return v;
}
const of = (fs: Finding[], id: string) => fs.filter((f) => f.id === id);

t.test('one network: no isolation check', async (t) => {
  t.same(of(grade(SEED_LAB, seedView()).findings, 'isolation'), []);
});

t.test('two networks, FORWARD accepting everything: ✗ naming both directions, with the two DROP rules as the fix', async (t) => {
  const [f] = of(grade(TWO, view('')).findings, 'isolation');
  t.match(f, { ok: false, object: 'network lab', check: 'networks lab and other cannot talk (FORWARD drops br0 → br1 and back)' });
  t.equal(f!.found, 'br0 → br1 let through by policy ACCEPT of FORWARD; br1 → br0 let through by policy ACCEPT of FORWARD');
  t.equal(f!.hint, 'iptables -I FORWARD -i br0 -o br1 -j DROP; iptables -I FORWARD -i br1 -o br0 -j DROP');
});

t.test('one direction dropped by hand: the fix names only the other', async (t) => {
  const [f] = of(grade(TWO, view('-A FORWARD -i br0 -o br1 -j DROP\n')).findings, 'isolation');
  t.equal(f!.ok, false);
  t.equal(f!.found, 'br1 → br0 let through by policy ACCEPT of FORWARD');
  t.equal(f!.hint, 'iptables -I FORWARD -i br1 -o br0 -j DROP');
});

t.test("Docker's two-stage form, in chains FORWARD jumps to: ✓ with the rule that drops", async (t) => {
  const rules = [
    ':ISO1 - [0:0]', ':ISO2 - [0:0]',
    '-A FORWARD -j ISO1',
    '-A FORWARD -i br0 -j ACCEPT', '-A FORWARD -i br1 -j ACCEPT',
    '-A ISO1 -i br0 ! -o br0 -j ISO2', '-A ISO1 -i br1 ! -o br1 -j ISO2', '-A ISO1 -j RETURN',
    '-A ISO2 -o br0 -j DROP', '-A ISO2 -o br1 -j DROP', '-A ISO2 -j RETURN',
  ].join('\n') + '\n';
  const fs = grade(TWO, view(rules, 'DROP')).findings;
  const [f] = of(fs, 'isolation');
  t.equal(f!.ok, true, findingLine(f!));
  t.equal(findingLine(f!), '✓ network lab: networks lab and other cannot talk (FORWARD drops br0 → br1 and back) (-A ISO2 -o br1 -j DROP; -A ISO2 -o br0 -j DROP)');
  t.same(fs.filter((x) => !x.ok && x.id !== 'masquerade').map(findingLine), [], 'and every other check passes: forwarding from each bridge still accepted');
});

t.test('icc false: ✗ until FORWARD drops br0 → br0, and the fix loads br_netfilter', async (t) => {
  const lab: Lab = { ...SEED_LAB, networks: [{ ...SEED_LAB.networks[0]!, icc: false }] };
  const [f] = of(grade(lab, view('')).findings, 'icc');
  t.match(f, { ok: false, found: 'let through by policy ACCEPT of FORWARD', hint: 'modprobe br_netfilter; iptables -I FORWARD -i br0 -o br0 -j DROP' });
  const [g] = of(grade(lab, view('-A FORWARD -i br0 -o br0 -j DROP\n')).findings, 'icc');
  t.match(g, { ok: true, found: '-A FORWARD -i br0 -o br0 -j DROP' });
  t.same(of(grade(SEED_LAB, view('')).findings, 'icc'), [], 'icc true (the default): not checked');
});

t.test('internal: ✗ until FORWARD drops both ways across the bridge\'s edge', async (t) => {
  const lab: Lab = { ...SEED_LAB, networks: [{ ...SEED_LAB.networks[0]!, internal: true }] };
  const [f] = of(grade(lab, view('')).findings, 'internal');
  t.match(f, { ok: false, found: 'out to eth0 let through by policy ACCEPT of FORWARD; in from eth0 let through by policy ACCEPT of FORWARD' });
  t.equal(f!.hint, 'iptables -I FORWARD -i br0 ! -o br0 -j DROP; iptables -I FORWARD ! -i br0 -o br0 -j DROP');
  const [g] = of(grade(lab, view('-A FORWARD -i br0 ! -o br0 -j DROP\n-A FORWARD ! -i br0 -o br0 -j DROP\n')).findings, 'internal');
  t.equal(g!.ok, true, findingLine(g!));
});

t.test('an unreadable filter table: no isolation finding (the forward check names the error)', async (t) => {
  const v = view('');
  v.filter = { error: 'iptables-save: not found' };
  t.same(of(grade(TWO, v).findings, 'isolation'), []);
});
