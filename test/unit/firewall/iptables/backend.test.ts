// The iptables backend: what it adds, removes, reports and reads back, planned against iptables-save text.
import t from 'tap';
import { IptablesFirewall, iptablesView } from '../../../../src/firewall/iptables/backend.js';
import { words } from '../../../../src/firewall/iptables/save.js';
import { useLab } from '../../../../src/state/lab-id.js';

const fw = new IptablesFirewall();
useLab(() => '0a1b2c3d');
const parseIptablesSave = iptablesView;
const net = { name: 'lab', iface: 'br0', subnet: '10.201.0.0/24', masquerade: true, icc: true, internal: false };

t.same(words('-A X -m comment --comment "nslab:net=lab" -j ACCEPT'), ['-A', 'X', '-m', 'comment', '--comment', 'nslab:net=lab', '-j', 'ACCEPT']);

t.test('ensure never re-declares an existing chain (that would flush NSLAB-USER)', async (t) => {
  const live = parseIptablesSave('*filter\n:FORWARD ACCEPT [0:0]\n:NSLAB-USER - [0:0]\n-A NSLAB-USER -s 192.0.2.1/32 -j DROP\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n');
  const traffic = fw.ensureNetwork(live, net).find((c) => c.part === 'traffic')!;
  t.notMatch(traffic.apply[0]!.stdin!, /:NSLAB-USER/);
  t.match(traffic.apply[0]!.stdin!, /:NSLAB-FORWARD - \[0:0\]/);
});

t.test('removeShared keeps a users chain that has rules, drops an empty one', async (t) => {
  const withRule = parseIptablesSave('*filter\n:NSLAB-FORWARD - [0:0]\n:NSLAB-USER - [0:0]\n-A FORWARD -m comment --comment nslab -j NSLAB-FORWARD\n-A NSLAB-USER -j DROP\nCOMMIT\n');
  const a = fw.removeShared(withRule)[0]!.stdin!;
  t.match(a, /-D FORWARD -m comment --comment nslab -j NSLAB-FORWARD/);
  t.match(a, /-X NSLAB-FORWARD/);
  t.notMatch(a, /-F /, 'deleted rule by rule, never flushed');
  t.notMatch(a, /NSLAB-USER/);
  const empty = parseIptablesSave('*filter\n:NSLAB-USER - [0:0]\nCOMMIT\n');
  t.match(fw.removeShared(empty)[0]!.stdin!, /-X NSLAB-USER/);
  t.same(fw.removeShared(parseIptablesSave('')), [], 'nothing to remove: no command');
});

t.test('removeShared leaves the shared chains while another lab has rules in them', async (t) => {
  const base = '-A FORWARD -m comment --comment nslab -j NSLAB-FORWARD\n-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-USER\n-A NSLAB-FORWARD -m comment --comment nslab -j NSLAB-ISOLATION-1\n';
  const chains = ':FORWARD ACCEPT [0:0]\n:NSLAB-FORWARD - [0:0]\n:NSLAB-ISOLATION-1 - [0:0]\n:NSLAB-ISOLATION-2 - [0:0]\n:NSLAB-USER - [0:0]\n';
  const other = '-A NSLAB-ISOLATION-2 -o brb -m comment --comment "nslab:0000beef:net=b" -j DROP\n';
  t.same(fw.removeShared(parseIptablesSave(`*filter\n${chains}${base}${other}COMMIT\n`)), [], "another lab's isolation rule keeps every chain and jump");
  const nat = '*nat\n:POSTROUTING ACCEPT [0:0]\n:NSLAB-POSTROUTING - [0:0]\n-A POSTROUTING -m comment --comment nslab -j NSLAB-POSTROUTING\n-A NSLAB-POSTROUTING -s 10.9.0.0/24 ! -o brb -m comment --comment "nslab:0000beef:net=b" -j MASQUERADE\nCOMMIT\n';
  t.same(fw.removeShared(parseIptablesSave(`${nat}*filter\n${chains}${base}COMMIT\n`)), [], "another lab's MASQUERADE keeps them too");
  const only = fw.removeShared(parseIptablesSave(`*filter\n${chains}${base}COMMIT\n`))[0]!.stdin!;
  t.match(only, /-D NSLAB-FORWARD -m comment --comment nslab -j NSLAB-ISOLATION-1\n-X NSLAB-FORWARD\n-X NSLAB-ISOLATION-1\n-X NSLAB-ISOLATION-2\n-X NSLAB-USER/, 'only the jumps left: all go');
});

const save = (lines: string[]) => parseIptablesSave(['*raw', ':PREROUTING ACCEPT [0:0]', '*nat', ':POSTROUTING ACCEPT [0:0]', 'COMMIT', '*filter', ':FORWARD ACCEPT [0:0]', ...lines, 'COMMIT', ''].join('\n'));

t.test('what ensure mends: each absent rule in the lab\'s words, with the rule', async (t) => {
  const missing = (v: Parameters<typeof fw.ensureNetwork>[0], n: typeof net) => fw.ensureNetwork(v, n).flatMap((c) => c.missing);
  const m = missing(save([]), net);
  t.ok(m.includes("nslab's chain filter/NSLAB-USER is missing"));
  t.ok(m.some((x) => x.startsWith('MASQUERADE for 10.201.0.0/24 is missing') && x.includes('(-t nat -A NSLAB-POSTROUTING -s 10.201.0.0/24 ! -o br0')));
  t.ok(m.some((x) => x.startsWith('the source check is missing: packets from br0 whose source is not in 10.201.0.0/24 are not dropped, so containers can spoof')));
  t.ok(m.some((x) => x.startsWith('ICC is missing')));
  t.notOk(missing(save([]), { ...net, icc: false }).some((x) => x.startsWith('ICC is missing')), 'ICC off: its own words');
  t.ok(missing(save([]), { ...net, icc: false }).some((x) => x.startsWith('ICC off is missing')));
  t.notOk(missing(save([]), { ...net, internal: true, masquerade: false }).some((x) => x.includes('MASQUERADE')), 'internal: no MASQUERADE to miss');
});

t.test('ensure then missing: applying the plan leaves nothing missing (the words compare equal)', async (t) => {
  // The restore input, turned into what iptables-save would print afterwards.
  const tables = { raw: [] as string[], nat: [] as string[], filter: [] as string[] };
  let cur: keyof typeof tables = 'raw';
  for (const l of fw.ensureNetwork(save([]), net).flatMap((c) => c.apply.map((a) => a.stdin!)).join('').split('\n')) {
    if (l.startsWith('*')) cur = l.slice(1) as keyof typeof tables;
    else if (/^(-A|-I|:)/.test(l)) tables[cur].push(l.replace(/^-I (\S+) 1 /, '-A $1 '));
  }
  t.equal(Object.values(tables).flat().length, 6 + 5 + 7, 'six chains, five jumps, seven rules of the network');
  const after = parseIptablesSave(Object.entries(tables).map(([k, ls]) => [`*${k}`, ...ls, 'COMMIT'].join('\n')).join('\n') + '\n');
  t.same(fw.ensureNetwork(after, net).flatMap((c) => c.missing), []);
  t.same(fw.ensureNetwork(after, net), [], 'idempotent: nothing more to add');
  t.same(fw.rulesOf(after, 'lab'), { masquerade: true, icc: true, internal: false }, 'rebuild reads the settings back');
  t.equal(fw.rulesOf(after, 'other'), undefined, 'a network without rules: nothing to read');
  const del = fw.removeNetwork(after, net);
  t.equal(del.length, 1, 'one restore');
  t.notMatch(del[0]!.stdin!, /-D (PREROUTING|POSTROUTING|FORWARD) /, 'the shared jumps stay (removeShared takes them)');
  t.same(fw.orphans(after, (n) => n === 'lab').commands, [], 'recorded: no orphan');
  const o = fw.orphans(after, () => false);
  t.equal(o.removed.length, 7, "every rule of the network is an orphan once no record explains it");
  t.match(o.removed[0], /^rule -t raw -A NSLAB-PREROUTING ! -s 10\.201\.0\.0\/24 -i br0/);
});

t.test('views of another backend are refused', async (t) => {
  t.throws(() => fw.ensureNetwork({ backend: 'none' }, net), /handed a view of the none backend/);
});

t.test("orphans: a trace probe's TRACE rule once its process is gone, not while it runs", async (t) => {
  const rule = (pid: number) => `-A PREROUTING -s 10.201.0.4/32 -d 10.201.0.5/32 -p icmp -m icmp --icmp-type 8 -m comment --comment nslab-trace:${pid} -j TRACE`;
  const view = parseIptablesSave(`*raw\n:PREROUTING ACCEPT [0:0]\n${rule(41)}\n${rule(42)}\n-A PREROUTING -m comment --comment nslab-trace:43 -j ACCEPT\nCOMMIT\n`);
  const o = new IptablesFirewall((pid) => pid === 42).orphans(view, () => true);
  t.same(o.removed, [`rule -t raw -A PREROUTING -s 10.201.0.4/32 -d 10.201.0.5/32 -p icmp -m icmp --icmp-type 8 -m comment --comment nslab-trace:41 -j TRACE (the TRACE rule of \`nslab trace --probe\` process 41, which is gone)`]);
  t.equal(o.commands.length, 1, 'one restore');
  t.match(o.commands[0]!.stdin!, /^\*raw\n-D PREROUTING .*--comment nslab-trace:41 -j TRACE\nCOMMIT\n$/, 'deletes that rule only: not the running probe (42), not a rule that is no TRACE (43)');
  t.same(new IptablesFirewall(() => true).orphans(view, () => true).commands, [], 'all running: nothing');
});
