// Forwarding with a DROP policy (as with Docker installed), and the users' chain surviving teardown.
import t from 'tap';
import { sandbox, HOST_IP } from '../helpers/sandbox.js';

const sb = await sandbox('fw');
t.teardown(() => sb.down());
const c = sb.name('c1');

t.test('FORWARD policy DROP: containers still reach the world, the policy is untouched', async (t) => {
  await sb.exec(sb.host, ['iptables', '-P', 'FORWARD', 'DROP']);
  await sb.exec(sb.host, ['iptables', '-A', 'FORWARD', '-s', '192.0.2.9', '-j', 'ACCEPT']); // someone else's rule
  const before = await sb.iptables();
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.201.0.0/24'])).code, 0);
  t.equal((await sb.cli(['container', 'create', c, '--network', 'lab'])).code, 0);
  await sb.startWorldServer();
  const r = await sb.tcpFrom(c);
  t.equal(r.stdout.trim(), HOST_IP, 'reached the world through NAT despite DROP');
  t.match(await sb.iptables(), /:FORWARD DROP/);
  // Users block a destination in NSLAB-USER; nslab honours it and never removes it.
  await sb.exec(sb.host, ['iptables', '-A', 'NSLAB-USER', '-d', '198.51.100.2', '-j', 'DROP']);
  t.not((await sb.tcpFrom(c)).code, 0, 'the user rule in NSLAB-USER blocks the flow');
  t.equal((await sb.cli(['container', 'rm', c])).code, 0);
  t.equal((await sb.cli(['network', 'rm', 'lab'])).code, 0);
  t.equal((await sb.cli(['reset'])).code, 0);
  const after = await sb.iptables();
  t.match(after, /-A NSLAB-USER -d 198\.51\.100\.2\/32 -j DROP/, 'user rule survived rm and reset');
  t.match(after, /:FORWARD DROP/, 'policy unchanged');
  t.match(after, /-A FORWARD -s 192\.0\.2\.9\/32 -j ACCEPT/, "others' rules untouched");
  t.notMatch(after, /NSLAB-FORWARD|NSLAB-POSTROUTING/, "nslab's own chains are gone");
  // Once the user empties their chain, reset removes it too: the ruleset is back as it was.
  await sb.exec(sb.host, ['iptables', '-F', 'NSLAB-USER']);
  t.equal((await sb.cli(['reset'])).code, 0);
  t.equal(await sb.iptables(), before);
});
