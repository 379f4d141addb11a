import t from 'tap';
import { classify, CommandError } from '../../../src/exec/outcome.js';
import { ip } from '../../../src/exec/command.js';

const cases: Array<[string, string]> = [
  ['Cannot create namespace file "/run/netns/c4": File exists', 'exists'],
  ['RTNETLINK answers: File exists', 'exists'],
  ['Error: ipv4: Address already assigned.', 'exists'],
  ['iptables: Chain already exists.', 'exists'],
  ['Cannot remove namespace file "/run/netns/c4": No such file or directory', 'not-found'],
  ['Cannot find device "nv-c4-0"', 'not-found'],
  ["iptables v1.8.9 (nf_tables): Chain 'NSLAB-Y' does not exist", 'not-found'],
  ['iptables: No chain/target/match by that name.', 'not-found'],
  ['iptables: Bad rule (does a matching rule exist in that chain?).', 'not-found'],
  ['RTNETLINK answers: Operation not permitted', 'failed'],
];
for (const [stderr, kind] of cases) t.equal(classify({ exitCode: 1, stderr }), kind, stderr);
t.throws(() => classify({ exitCode: 0, stderr: '' }));

const e = new CommandError(ip(['link', 'add', 'x'], { netns: 'c4' }), { argv: [], exitCode: 2, stdout: '', stderr: 'RTNETLINK answers: File exists\n', durationMs: 1 }, 'create veth x');
t.equal(e.kind, 'exists');
t.equal(e.message, 'failed to create veth x in netns c4: `ip -n c4 link add x`: RTNETLINK answers: File exists');
