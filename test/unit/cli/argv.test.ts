// Global options anywhere on the line: hoistGlobals moves them in front of the command words.
import t from 'tap';
import { hoistGlobals, splitGlobals } from '../../../src/cli/argv.js';

const G = [
  { flag: '--json', takesValue: false }, { flag: '--dry-run', takesValue: false }, { flag: '--state-dir', takesValue: true },
  { flag: '--socket', takesValue: true }, { flag: '--log-level', takesValue: true }, { flag: '--firewall-backend', takesValue: true },
];
const h = (line: string) => hoistGlobals(line.split(' '), G).join(' ');

t.test('each global option, after the command or between its words, goes to the front', async (t) => {
  t.equal(h('container ls --json'), '--json container ls');
  t.equal(h('container --json ls'), '--json container ls');
  t.equal(h('network create lab --dry-run --subnet 10.1.0.0/24'), '--dry-run network create lab --subnet 10.1.0.0/24');
  t.equal(h('network ls --state-dir /tmp/s'), '--state-dir /tmp/s network ls', 'with its value');
  t.equal(h('network ls --state-dir=/tmp/s'), '--state-dir=/tmp/s network ls', 'with =value');
  t.equal(h('version --socket /tmp/x.sock'), '--socket /tmp/x.sock version');
  t.equal(h('up lab.yaml --log-level debug'), '--log-level debug up lab.yaml');
  t.equal(h('network create n --firewall-backend none'), '--firewall-backend none network create n');
  t.equal(h('--json container ls'), '--json container ls', 'already in front: unchanged');
  t.equal(h(h('container ls --json --state-dir /s')), '--json --state-dir /s container ls', 'hoisting twice is hoisting once');
});

t.test('the command exec runs keeps its flags: nothing after -- or after exec NAME moves', async (t) => {
  t.equal(h('exec c1 -- ip --json addr'), 'exec c1 -- ip --json addr');
  t.equal(h('exec c1 ip --json addr'), 'exec c1 ip --json addr');
  t.equal(h('exec --dry-run c1 ip --json addr'), '--dry-run exec c1 ip --json addr');
  t.equal(h('--json exec c1 cat --dry-run'), '--json exec c1 cat --dry-run');
  t.equal(h('network ls -- --json'), 'network ls -- --json');
});

t.test('split: the globals and the rest', async (t) => {
  t.same(splitGlobals(['help', 'network', 'create', '--state-dir', '/s'], G), [['--state-dir', '/s'], ['help', 'network', 'create']]);
  t.same(splitGlobals([], G), [[], []]);
});
