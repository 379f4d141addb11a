// --firewall-backend none: nslab writes no rule, containers still talk on the bridge, check says the firewall is the user's.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('mcfb');
t.teardown(() => sb.down());
const [a, b] = [sb.name('a'), sb.name('b')];
const NSLAB = /NSLAB|nslab/;
const inspect = async (n: string) => JSON.parse((await sb.cli(['network', 'inspect', n])).stdout)[0].Options as Record<string, string>;

t.test('a network with --firewall-backend none: no chain, no rule, and its containers ping each other', async (t) => {
  const before = await sb.iptables();
  t.notMatch(before, NSLAB);
  const dry = await sb.cli(['--firewall-backend', 'none', '--dry-run', 'network', 'create', 'lab', '--subnet', '10.233.0.0/24']);
  t.equal(dry.code, 0);
  t.notMatch(dry.stdout, /iptables/, 'the plan holds no firewall command');
  const r = await sb.cli(['--firewall-backend', 'none', 'network', 'create', 'lab', '--subnet', '10.233.0.0/24']);
  t.equal(r.code, 0, 'created', { stderr: r.stderr });
  t.equal((await sb.cli(['container', 'create', a, '--network', 'lab'])).code, 0);
  t.equal((await sb.cli(['container', 'create', b, '--network', 'lab'])).code, 0);
  t.equal(await sb.iptables(), before, 'iptables-save is unchanged: no nslab chain or rule');
  t.equal((await sb.ping(a, '10.233.0.3')).code, 0, `${a} -> ${b} on the bridge`);
  t.equal((await sb.ping(b, '10.233.0.2')).code, 0, `${b} -> ${a}`);
  t.equal((await inspect('lab'))['nslab.firewall.backend'], 'none', 'network inspect names the backend');
  const c = await sb.cli(['check']);
  t.equal(c.code, 0, 'check: nothing is missing', { stdout: c.stdout });
  t.match(c.stdout, 'note: network lab: the firewall is not managed by nslab (backend none)');
  t.match(c.stdout, 'check: the kernel matches the records');
  const j = JSON.parse((await sb.cli(['--json', 'check'])).stdout);
  t.match(j.notes, [/the firewall is not managed/]);
  t.equal((await sb.cli(['gc'])).code, 0);
  t.equal(await sb.iptables(), before, 'check and gc changed nothing');
});

t.test('the network keeps its backend: a request with another one is a conflict', async (t) => {
  const r = await sb.cli(['network', 'create', 'lab', '--subnet', '10.233.0.0/24']);
  t.equal(r.code, 2, 'the default (iptables) for a network made with none');
  t.match(r.stderr, /network lab already exists with other settings \(firewall backend none, not iptables\)/);
  t.equal((await sb.cli(['--firewall-backend', 'none', 'network', 'create', 'lab', '--subnet', '10.233.0.0/24'])).code, 0, 'the same backend: the same network');
  const bad = await sb.cli(['--firewall-backend', 'nftables', 'network', 'create', 'x']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /firewall-backend: must be one of iptables, none/);
});

t.test('beside an iptables network: only that one gets rules, and they all go with it', async (t) => {
  const before = await sb.iptables();
  t.equal((await sb.cli(['network', 'create', 'ipt', '--subnet', '10.233.1.0/24'])).code, 0);
  t.equal((await inspect('ipt'))['nslab.firewall.backend'], 'iptables');
  const rules = await sb.iptables();
  t.match(rules, /-A NSLAB-POSTROUTING -s 10\.233\.1\.0\/24 ! -o \S+ -m comment --comment "nslab:\w+:net=ipt" -j MASQUERADE/);
  t.notMatch(rules, /net=lab|10\.233\.0\.0/, 'nothing of the none network');
  t.equal((await sb.cli(['check'])).code, 0);
  t.equal((await sb.cli(['network', 'rm', 'ipt'])).code, 0);
  t.equal(await sb.iptables(), before);
});

t.test('NSLAB_FIREWALL_BACKEND, the lab file key and nslabd --firewall-backend choose it too', async (t) => {
  const before = await sb.iptables();
  t.equal((await sb.cli(['network', 'create', 'env', '--subnet', '10.233.2.0/24'], { NSLAB_FIREWALL_BACKEND: 'none' })).code, 0);
  t.equal((await inspect('env'))['nslab.firewall.backend'], 'none');
  const file = join(sb.stateDir, 'lab.yaml');
  writeFileSync(file, `firewall-backend: none\nnetworks:\n  filed: {subnet: 10.233.3.0/24}\ncontainers:\n  ${sb.name('f')}: {network: filed}\n`);
  const up = await sb.cli(['up', file]);
  t.equal(up.code, 0, 'lab up', { stderr: up.stderr });
  t.equal((await inspect('filed'))['nslab.firewall.backend'], 'none');
  t.equal((await sb.cli(['down', file])).code, 0);
  // nslabd's own default, through the socket (the sandbox starts it without extra flags: the environment carries it).
  await sb.startDaemon({ NSLAB_FIREWALL_BACKEND: 'none' });
  t.equal((await sb.cli(['network', 'create', 'viad', '--subnet', '10.233.4.0/24'])).code, 0);
  t.equal((await inspect('viad'))['nslab.firewall.backend'], 'none', 'nslabd --firewall-backend (here through its environment)');
  t.equal((await sb.cli(['network', 'rm', 'viad', 'env'])).code, 0);
  await sb.stopDaemon();
  t.equal(await sb.iptables(), before, 'not one rule written on the way');
});

t.test('removal: nothing to remove in iptables, and the bridge goes as usual', async (t) => {
  const before = await sb.iptables();
  t.equal((await sb.cli(['container', 'rm', a, b])).code, 0);
  t.equal((await sb.cli(['network', 'rm', 'lab'])).code, 0);
  t.equal(await sb.iptables(), before);
  t.same((await sb.ipJson(['link', 'show', 'type', 'bridge'])).map((l) => l.ifname), []);
});
