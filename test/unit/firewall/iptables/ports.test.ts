// Published ports in the iptables backend: the rules, idempotent ensure, exact removal, orphans, read-back.
import t from 'tap';
import { IptablesFirewall, iptablesView } from '../../../../src/firewall/iptables/backend.js';
import { parseNetworkComment, parsePortComment, portComment } from '../../../../src/firewall/iptables/names.js';
import { PORT_BASE_RULES, portRules } from '../../../../src/firewall/iptables/ports.js';
import { ruleWords } from '../../../../src/firewall/iptables/rules.js';
import { words } from '../../../../src/firewall/iptables/save.js';
import type { Command } from '../../../../src/exec/command.js';
import { parsePublish } from '../../../../src/engine/publish.js';
import { useLab } from '../../../../src/state/lab-id.js';

const LAB = '0a1b2c3d';
useLab(() => LAB);
const fw = new IptablesFirewall();
const net = { name: 'lab', iface: 'br0', subnet: '10.201.0.0/24', masquerade: true, icc: true, internal: false };
const web = { container: 'web', ip: '10.201.0.2', ports: [...parsePublish('8080:80'), ...parsePublish('127.0.0.1:8443:443'), ...parsePublish('192.0.2.1:53:53/udp')] };

/** What iptables-restore --noflush would leave: `save` (iptables-save text) with `cmds`' restore inputs applied. */
function applied(save: string, cmds: readonly Command[]): string {
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  let cur = '';
  for (const l of save.split('\n')) {
    if (l.startsWith('*')) tables.set((cur = l.slice(1)), { chains: [], rules: [] });
    else if (l.startsWith(':')) tables.get(cur)!.chains.push(l);
    else if (l.startsWith('-A')) tables.get(cur)!.rules.push(l);
  }
  for (const c of cmds) {
    t.equal(c.file, 'iptables-restore');
    for (const l of c.stdin!.split('\n')) {
      if (l.startsWith('*')) {
        cur = l.slice(1);
        if (!tables.has(cur)) tables.set(cur, { chains: [], rules: [] });
      } else if (l.startsWith(':')) tables.get(cur)!.chains.push(l);
      else if (l.startsWith('-A ')) tables.get(cur)!.rules.push(l);
      else if (l.startsWith('-I ')) tables.get(cur)!.rules.unshift(`-A ${l.split(' ')[1]} ${l.split(' ').slice(3).join(' ')}`);
      else if (l.startsWith('-D ')) {
        const want = words(`-A ${l.slice(3)}`).join(' ');
        const rs = tables.get(cur)!.rules;
        const i = rs.findIndex((r) => words(r).join(' ') === want);
        if (i < 0) throw new Error(`restore would fail: no rule ${l}`);
        rs.splice(i, 1);
      }
    }
  }
  return [...tables].map(([name, x]) => [`*${name}`, ...x.chains, ...x.rules, 'COMMIT'].join('\n')).join('\n') + '\n';
}
const EMPTY = '*raw\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n';

t.test('comments: a port rule names lab, network and container, and is not taken for a network rule', async (t) => {
  t.equal(portComment('lab', 'web'), `nslab:${LAB}:net=lab:ctr=web`);
  t.same(parsePortComment(`nslab:${LAB}:net=lab:ctr=web`), { lab: LAB, network: 'lab', container: 'web' });
  t.equal(parseNetworkComment(`nslab:${LAB}:net=lab:ctr=web`), undefined, 'gc would otherwise take it for network "lab:ctr=web"');
  t.same(parseNetworkComment(`nslab:${LAB}:net=lab`), { network: 'lab', lab: LAB });
});

t.test('the rules of a mapping: DNAT, forward accept, hairpin MASQUERADE, and localhost MASQUERADE only when it answers on 127.0.0.1', async (t) => {
  const rules = portRules(net, web).map((r) => `${r.table} ${ruleWords(r).join(' ')}`);
  const c = `-m comment --comment nslab:${LAB}:net=lab:ctr=web`;
  t.same(rules, [
    `nat -A NSLAB-DNAT -p tcp -m tcp --dport 8080 ${c} -j DNAT --to-destination 10.201.0.2:80`,
    `filter -A NSLAB-FORWARD -d 10.201.0.2/32 ! -i br0 -o br0 -p tcp -m tcp --dport 80 ${c} -j ACCEPT`,
    `nat -A NSLAB-POSTROUTING -s 10.201.0.0/24 -d 10.201.0.2/32 -o br0 -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT ${c} -j MASQUERADE`,
    `nat -A NSLAB-POSTROUTING -s 127.0.0.0/8 -d 10.201.0.2/32 -o br0 -p tcp -m tcp --dport 80 ${c} -j MASQUERADE`,
    `nat -A NSLAB-DNAT -d 127.0.0.1/32 -p tcp -m tcp --dport 8443 ${c} -j DNAT --to-destination 10.201.0.2:443`,
    `filter -A NSLAB-FORWARD -d 10.201.0.2/32 ! -i br0 -o br0 -p tcp -m tcp --dport 443 ${c} -j ACCEPT`,
    `nat -A NSLAB-POSTROUTING -s 10.201.0.0/24 -d 10.201.0.2/32 -o br0 -p tcp -m tcp --dport 443 -m conntrack --ctstate DNAT ${c} -j MASQUERADE`,
    `nat -A NSLAB-POSTROUTING -s 127.0.0.0/8 -d 10.201.0.2/32 -o br0 -p tcp -m tcp --dport 443 ${c} -j MASQUERADE`,
    `nat -A NSLAB-DNAT -d 192.0.2.1/32 -p udp -m udp --dport 53 ${c} -j DNAT --to-destination 10.201.0.2:53`,
    `filter -A NSLAB-FORWARD -d 10.201.0.2/32 ! -i br0 -o br0 -p udp -m udp --dport 53 ${c} -j ACCEPT`,
    `nat -A NSLAB-POSTROUTING -s 10.201.0.0/24 -d 10.201.0.2/32 -o br0 -p udp -m udp --dport 53 -m conntrack --ctstate DNAT ${c} -j MASQUERADE`,
  ]);
  t.same(PORT_BASE_RULES.map((r) => `${r.table} ${ruleWords(r).join(' ')}`), [
    'raw -A NSLAB-PREROUTING -d 127.0.0.0/8 ! -i lo -m comment --comment nslab -j DROP',
    'nat -A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment nslab -j NSLAB-DNAT',
    'nat -A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment nslab -j NSLAB-DNAT',
  ]);
});

t.test('ensure: one restore with the chain, jumps, guard and rules, each after a comment saying what it is for; then nothing', async (t) => {
  const first = fw.ensurePorts(iptablesView(EMPTY), net, web)!;
  t.equal(first.apply.length, 1, 'one iptables-restore --noflush');
  t.same(first.apply[0]!.args, ['--wait', '--noflush']);
  const stdin = first.apply[0]!.stdin!;
  t.match(stdin, /:NSLAB-DNAT - \[0:0\]/);
  t.match(stdin, /# DNAT: host port 0\.0\.0\.0:8080\/tcp → web:80\/tcp\n-A NSLAB-DNAT -p tcp/);
  t.match(stdin, /# hairpin: let web and its neighbours on lab reach web:80\/tcp through 0\.0\.0\.0:8080\/tcp\n/);
  t.match(stdin, /# localhost guard: drop packets to 127\.0\.0\.0\/8 that did not arrive on lo/);
  t.match(stdin, /-I PREROUTING 1 -m addrtype --dst-type LOCAL -m comment --comment nslab -j NSLAB-DNAT/);
  t.match(first.missing.join('\n'), /rule missing: DNAT: host port 0\.0\.0\.0:8080\/tcp → web:80\/tcp/);
  t.equal(first.revert.length, 11, 'the revert deletes the container\'s rules, one by one (absence tolerated), not the shared ones');
  t.ok(first.revert.every((c) => c.absentOk));
  const after = iptablesView(applied(EMPTY, first.apply));
  t.equal(fw.ensurePorts(after, net, web), undefined, 'idempotent: nothing missing, nothing to do');
  // A second container reuses the shared parts.
  const db = { container: 'db', ip: '10.201.0.3', ports: parsePublish('5432:5432') };
  const second = fw.ensurePorts(after, net, db)!;
  t.notMatch(second.apply[0]!.stdin!, /NSLAB-DNAT - \[0:0\]|-I PREROUTING|localhost guard/, 'shared parts not again');
  t.equal(second.apply[0]!.stdin!.split('\n').filter((l) => l.startsWith('-A')).length, 4);
});

t.test('portsView: a new container planned without reading the host adds its own rules only', async (t) => {
  const db = { container: 'db', ip: '10.201.0.3', ports: parsePublish('5432:5432') };
  const stdin = fw.ensurePorts(fw.portsView(), net, db)!.apply[0]!.stdin!;
  t.equal(stdin.split('\n').filter((l) => /^-[AI] /.test(l)).length, 4, 'DNAT, accept, hairpin, localhost');
  t.notMatch(stdin, /NSLAB-DNAT - \[0:0\]|-I PREROUTING|-I OUTPUT|127\.0\.0\.0\/8 ! -i lo/, 'the shared parts are taken as there');
  const full = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, web)!.apply);
  t.same(fw.ensurePorts(fw.portsView(), net, db)!.apply, fw.ensurePorts(iptablesView(full), net, db)!.apply, 'the same plan as against a host holding another publisher');
});

t.test('ensure after the first endpoint moved: the new rules in, the old address\'s out, in the same restore', async (t) => {
  const live = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, web)!.apply);
  const moved = { ...web, ip: '10.201.0.9' };
  const change = fw.ensurePorts(iptablesView(live), net, moved)!;
  const now = applied(live, change.apply);
  t.notMatch(now, /10\.201\.0\.2[:/]/, 'nothing left for the old address');
  t.match(now, /--to-destination 10\.201\.0\.9:80/);
  t.match(change.missing.join('\n'), /stale port rule of web/);
  t.equal(fw.ensurePorts(iptablesView(now), net, moved), undefined);
});

t.test('a hairpin rule of the release before --ctstate DNAT: check finds it stale, repair swaps it in one restore', async (t) => {
  const now = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, web)!.apply);
  const old = now.replaceAll(' -m conntrack --ctstate DNAT', '');
  t.not(old, now);
  const change = fw.ensurePorts(iptablesView(old), net, web)!;
  t.equal(change.apply.length, 1);
  t.match(change.missing.join('\n'), /rule missing: hairpin: let web/);
  t.match(change.missing.join('\n'), /stale port rule of web: -A NSLAB-POSTROUTING -s 10\.201\.0\.0\/24 -d 10\.201\.0\.2\/32 -o br0 -p tcp -m tcp --dport 80 -m comment/);
  t.equal(applied(old, change.apply).split('\n').sort().join('\n'), now.split('\n').sort().join('\n'), 'afterwards the same rules as a fresh publish');
});

t.test('removePorts removes exactly the container\'s rules; removeShared then takes the shared parts', async (t) => {
  const db = { container: 'db', ip: '10.201.0.3', ports: parsePublish('5432:5432') };
  const one = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, db)!.apply);
  const both = applied(one, fw.ensurePorts(iptablesView(one), net, web)!.apply);
  const back = applied(both, fw.removePorts(iptablesView(both), 'web'));
  t.equal(back, one, 'exactly as before web');
  t.same(fw.removePorts(iptablesView(back), 'web'), [], 'again: nothing');
  const none = applied(back, fw.removePorts(iptablesView(back), 'db'));
  t.same(fw.removeShared(iptablesView(both)), [], 'shared parts stay while a port rule is left');
  const shared = fw.removeShared(iptablesView(none))[0]!.stdin!;
  t.match(shared, /-D PREROUTING -m addrtype --dst-type LOCAL -m comment --comment nslab -j NSLAB-DNAT/);
  t.match(shared, /-D NSLAB-PREROUTING -d 127\.0\.0\.0\/8 ! -i lo -m comment --comment nslab -j DROP/);
  t.match(shared, /-X NSLAB-DNAT/);
});

t.test('removeNetwork takes the port rules of containers on it too (an interrupted run\'s)', async (t) => {
  const live = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, web)!.apply);
  const stdin = fw.removeNetwork(iptablesView(live), net)[0]!.stdin!;
  t.equal(stdin.split('\n').filter((l) => l.includes('ctr=web')).length, 11);
  t.same(fw.removeNetwork(iptablesView(live), { ...net, name: 'other' }), [], 'another network\'s: none');
});

t.test('orphans: port rules of a container not recorded, or not as recorded; never another lab\'s', async (t) => {
  const live = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, web)!.apply);
  const other = live.replace('COMMIT\n*filter', `-A NSLAB-DNAT -p tcp -m tcp --dport 1 -m comment --comment "nslab:0000beef:net=lab:ctr=x" -j DNAT --to-destination 10.9.0.2:1\nCOMMIT\n*filter`);
  const view = iptablesView(other);
  const recorded = () => true;
  t.same(fw.orphans(view, recorded, (n, c) => (n === 'lab' && c === 'web' ? { n: net, c: web } : undefined)).removed, [], 'all explained; another lab\'s rule untouched');
  const gone = fw.orphans(view, recorded, () => undefined);
  t.equal(gone.removed.length, 11, 'web unrecorded: its 11 rules');
  t.notMatch(gone.commands[0]!.stdin!, /0000beef/);
  const fewer = fw.orphans(view, recorded, () => ({ n: net, c: { ...web, ports: web.ports.slice(0, 1) } }));
  t.same(fewer.removed, [], 'web still publishes there: the rules of its dropped mappings are not gc\'s to remove');
  t.equal(fewer.lookalikes.length, 4 + 3, 'they are reported, one line each, as drift for check --repair');
  t.match(fewer.lookalikes[0], /port rule of a recorded container, not as its record asks.*nslab check --repair/);
});

t.test('gc on a host upgraded from the release before --ctstate DNAT: the old hairpin rule is left for check --repair, which swaps it', async (t) => {
  const now = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, web)!.apply);
  const old = iptablesView(now.replaceAll(' -m conntrack --ctstate DNAT', ''));
  const wanted = () => ({ n: net, c: web });
  const gc = fw.orphans(old, () => true, wanted);
  t.same(gc.commands, [], 'gc removes none of a recorded container\'s rules');
  t.equal(gc.lookalikes.length, 3, 'and names the three old hairpin rules');
  const repair = fw.ensurePorts(old, net, web)!;
  t.equal(repair.apply.length, 1, 'check --repair: one restore');
  t.match(repair.apply[0]!.stdin!, /-D NSLAB-POSTROUTING [^\n]*-j MASQUERADE/);
  t.match(repair.apply[0]!.stdin!, /-A NSLAB-POSTROUTING [^\n]*--ctstate DNAT/);
});

t.test('portsOf reads the mappings back from the DNAT rules (rebuild-state)', async (t) => {
  const live = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, web)!.apply);
  t.same(fw.portsOf(iptablesView(live)), [{ network: 'lab', container: 'web', lab: LAB, ip: '10.201.0.2', ports: web.ports }]);
});

t.test('two host ports to one container port: two DNATs, one forwarding, hairpin and localhost rule saying both', async (t) => {
  const both = { container: 'web', ip: '10.201.0.2', ports: [...parsePublish('8080:80'), ...parsePublish('127.0.0.1:8090:80')] };
  const rules = portRules(net, both);
  t.same(rules.map((r) => r.what), [
    'DNAT: host port 0.0.0.0:8080/tcp → web:80/tcp',
    'forward: accept connections from outside to web:80/tcp (published as 0.0.0.0:8080/tcp) (also 127.0.0.1:8090/tcp)',
    'hairpin: let web and its neighbours on lab reach web:80/tcp through 0.0.0.0:8080/tcp (also 127.0.0.1:8090/tcp)',
    'localhost: let the host reach web:80/tcp through 127.0.0.1:8080/tcp (also 127.0.0.1:8090/tcp)',
    'DNAT: host port 127.0.0.1:8090/tcp → web:80/tcp',
  ]);
  const keys = rules.map((r) => `${r.table} ${ruleWords(r).join(' ')}`);
  t.equal(new Set(keys).size, keys.length, 'no two rules alike');
  const live = applied(EMPTY, fw.ensurePorts(iptablesView(EMPTY), net, both)!.apply);
  t.equal(fw.ensurePorts(iptablesView(live), net, both), undefined, 'in place: nothing to do');
});
