// explain on records made by the engine's verbs over a fake host: comments, a named subset, unknown names, teardown order.
import t from 'tap';
import { NotFoundError } from '../../../../src/errors.js';
import { explainPlan } from '../../../../src/engine/explain/plan.js';
import { explainJson, explainScript } from '../../../../src/engine/explain/script.js';
import { firewallBackends } from '../../../../src/firewall/registry.js';
import { lab } from '../../../helpers/engine-lab.js';

const RESOLV = { nameservers: ['192.0.2.53'], search: [], options: [] };
const ctx = { firewalls: firewallBackends(), hostResolvers: () => RESOLV };

async function built() {
  const l = lab();
  await l.engine.createNetwork({ name: 'uxa', subnet: '10.201.0.0/24' });
  await l.engine.createNetwork({ name: 'uxb', subnet: '10.202.0.0/24' });
  await l.engine.createContainers([{ name: 'uxc1', network: 'uxa', ports: ['8080:80', '127.0.0.1:8081:81'] }]);
  await l.engine.createContainers([{ name: 'uxc2', network: 'uxb' }, { name: 'uxh', network: 'host' }, { name: 'uxs', network: 'container:uxc1' }]);
  return l.engine.readState();
}

t.test('the whole lab: a bash script, each step under a comment in the lab\'s words, every object built', async (t) => {
  const x = await explainPlan(ctx, await built());
  const s = explainScript(x);
  t.match(s, /^#!\/bin\/bash\n/);
  t.match(s, /\nset -euo pipefail\n/);
  t.match(s, /# create bridge nslab-uxa for network uxa\nip link add nslab-uxa .* type bridge/);
  t.match(s, /# create veth \S+ on nslab-uxa with peer eth0 inside uxc1\nip link add/);
  t.match(s, /# turn on IPv4 forwarding[^\n]*\nsysctl -w net\.ipv4\.ip_forward=1\n/);
  t.equal(s.match(/ip_forward=1/g)!.length, 1, 'forwarding, shared by both networks, set once');
  t.match(s, /route_localnet=1/);
  t.match(s, /iptables-restore --wait --noflush <<'EOF'\n\*raw/);
  t.match(s, /cat > \/etc\/netns\/uxc1\/resolv\.conf <<'EOF'\n# nslab: managed by nslab for container uxc1/, 'the files carry the mark');
  t.match(s, /\nip netns attach uxh \$\$\n/, 'host mode: the shell\'s own namespace gets the name');
  t.match(s, /mount --bind \/run\/netns\/uxc1 \/run\/netns\/uxs/);
  t.match(s, /nslabd's DNS server/, 'what no command builds is said');
  t.notMatch(s, /ip -batch|ip -n \S+ -batch/, 'one command per line, no batches');
  t.match(s, /\nip netns exec uxc1 sysctl -qw net\.ipv6\.conf\.eth0\.disable_ipv6=1\n/, 'a sysctl inside, as a student types it');
  for (const block of s.split('\n\n').slice(1)) t.match(block, /^# /, 'every block opens with its comment');
  // The rules of the second network are planned against the first's chains: declared once.
  t.equal(s.match(/^:NSLAB-FORWARD /gm)?.length ?? 0, 1, 'a shared chain is declared once (a second declaration would flush it)');
  t.ok(explainJson(x).every((j) => j.description && j.commands.length), '--json: the steps as data');
});

t.test('a named container: its own commands and its network\'s, nothing of the others', async (t) => {
  const s = explainScript(await explainPlan(ctx, await built(), ['uxc2']));
  t.match(s, /nslab-uxb/);
  t.match(s, /ip netns add uxc2/);
  t.notMatch(s, /uxc1|nslab-uxa|uxh|uxs/);
  const n = explainScript(await explainPlan(ctx, await built(), ['uxa']));
  t.match(n, /nslab-uxa/);
  t.notMatch(n, /ip netns add|uxb/, 'a network alone: no container');
  const sharer = explainScript(await explainPlan(ctx, await built(), ['uxs']));
  t.match(sharer, /# NOTE: uxs shares the namespace of uxc1: build uxc1 first/);
  t.match(s, /# NOTE: the iptables-restore inputs declare nslab's shared chains/, 'a part of a lab: the chain declarations are flagged');
  t.notMatch(explainScript(await explainPlan(ctx, await built())), /NOTE: the iptables-restore/, 'not for the whole lab');
});

t.test('an unknown name: refused (exit 2), naming it', async (t) => {
  await t.rejects(explainPlan(ctx, await built(), ['uxc1', 'nosuch']), new NotFoundError('name: no network or container named "nosuch" is recorded'));
});

t.test('teardown: the reverse order, every delete tolerant, the shared chains last', async (t) => {
  const x = await explainPlan(ctx, await built());
  const s = explainScript(x, true);
  const at = (re: RegExp) => s.search(re);
  t.ok(at(/ip netns del uxs/) < at(/ip netns del uxc1/), 'the sharer before the namespace it shares');
  t.ok(at(/ip netns del uxc2/) < at(/ip link del nslab-uxb/), 'containers before their bridge');
  t.ok(at(/ip link del nslab-uxb/) < at(/ip link del nslab-uxa/), 'networks in reverse');
  t.ok(at(/-X NSLAB-FORWARD/) > at(/ip link del nslab-uxa/), 'the shared chains last');
  for (const l of s.split('\n').filter((l) => /^(ip|iptables|mount|sysctl) /.test(l))) t.match(l, /\|\| true$/, `tolerant: ${l}`);
  const ids = x.build.filter((b) => b.revert.length).map((b) => b.id).reverse();
  t.same(x.teardown.slice(0, ids.length).map((s) => s.id), ids, 'each build step with an undo, last first');
});
