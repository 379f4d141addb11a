import t from 'tap';
import { IptablesFirewall } from '../../../src/firewall/iptables.js';
import { parseIptablesSave, words } from '../../../src/firewall/ruleset.js';
import { BASE_CHAINS, BASE_RULES } from '../../../src/firewall/rules.js';

const fw = new IptablesFirewall();

t.same(words('-A X -m comment --comment "nslab:net=lab" -j ACCEPT'), ['-A', 'X', '-m', 'comment', '--comment', 'nslab:net=lab', '-j', 'ACCEPT']);

t.test('ensure never re-declares an existing chain (that would flush NSLAB-USER)', async (t) => {
  const live = parseIptablesSave('*filter\n:FORWARD ACCEPT [0:0]\n:NSLAB-USER - [0:0]\n-A NSLAB-USER -s 192.0.2.1/32 -j DROP\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n');
  const [cmd] = fw.ensure(live, BASE_CHAINS, BASE_RULES);
  t.notMatch(cmd!.stdin!, /:NSLAB-USER/);
  t.match(cmd!.stdin!, /:NSLAB-FORWARD - \[0:0\]/);
});

t.test('removeChains keeps a users chain that has rules, drops an empty one', async (t) => {
  const withRule = parseIptablesSave('*filter\n:NSLAB-FORWARD - [0:0]\n:NSLAB-USER - [0:0]\n-A FORWARD -m comment --comment nslab -j NSLAB-FORWARD\n-A NSLAB-USER -j DROP\nCOMMIT\n');
  const a = fw.removeChains(withRule)[0]!.stdin!;
  t.match(a, /-D FORWARD -m comment --comment nslab -j NSLAB-FORWARD/);
  t.match(a, /-F NSLAB-FORWARD\n-X NSLAB-FORWARD/);
  t.notMatch(a, /NSLAB-USER/);
  const empty = parseIptablesSave('*filter\n:NSLAB-USER - [0:0]\nCOMMIT\n');
  t.match(fw.removeChains(empty)[0]!.stdin!, /-X NSLAB-USER/);
  t.same(fw.removeChains(parseIptablesSave('')), [], 'nothing to remove: no command');
});
