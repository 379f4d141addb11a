// The paper ruleset: what iptables would hold after restore inputs and single iptables calls.
import t from 'tap';
import { PaperRuleset } from '../../../../src/engine/explain/paper.js';
import type { Command } from '../../../../src/exec/command.js';
import { parseIptablesSave, rulesOf } from '../../../../src/firewall/iptables/save.js';

const restore = (stdin: string): Command => ({ kind: 'cmd', file: 'iptables-restore', args: ['--wait', '--noflush'], stdin, mutates: true });
const iptables = (...args: string[]): Command => ({ kind: 'cmd', file: 'iptables', args: ['--wait', ...args], mutates: true });
const chain = (p: PaperRuleset, table: 'filter' | 'nat', c: string) => rulesOf(parseIptablesSave(p.save()), table, c).map((w) => w.join(' '));

t.test('declare, append, insert first, quoted comments: read back as iptables-save prints them', async (t) => {
  const p = new PaperRuleset();
  p.apply([restore('*filter\n:X - [0:0]\n-A X -j ACCEPT\n-A X -m comment --comment "a b" -j DROP\n-I X 1 -j RETURN\n-I FORWARD 1 -j X\nCOMMIT\n')]);
  t.same(chain(p, 'filter', 'X'), ['-A X -j RETURN', '-A X -j ACCEPT', '-A X -m comment --comment a b -j DROP']);
  t.same(chain(p, 'filter', 'FORWARD'), ['-A FORWARD -j X']);
  t.ok(parseIptablesSave(p.save()).chains.get('filter')!.has('X'));
  const out = await p.runner().run({ kind: 'cmd', file: 'iptables-save', args: [], mutates: false });
  t.equal(out.stdout, p.save(), 'what a backend observes');
});

t.test('a declaration of an existing chain flushes it (--noflush), -D removes one match, -X the chain, other ops are ignored', async (t) => {
  const p = new PaperRuleset();
  p.apply([restore('*nat\n:N - [0:0]\n-A N -j MASQUERADE\n-A N -j MASQUERADE\nCOMMIT\n')]);
  p.apply([iptables('-t', 'nat', '-D', 'N', '-j', 'MASQUERADE'), { kind: 'mkdir', path: '/x' }, { kind: 'cmd', file: 'ip', args: ['link'], mutates: true }]);
  t.same(chain(p, 'nat', 'N'), ['-A N -j MASQUERADE'], 'one of two deleted');
  p.apply([restore('*nat\n:N - [0:0]\nCOMMIT\n')]);
  t.same(chain(p, 'nat', 'N'), [], 'declared again: empty');
  p.apply([restore('*nat\n-X N\nCOMMIT\n')]);
  t.notOk(parseIptablesSave(p.save()).chains.get('nat')!.has('N'));
  await t.rejects(p.runner().run(iptables('-S')), /reads only iptables-save/);
});
