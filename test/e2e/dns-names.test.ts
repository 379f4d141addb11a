// nslabd's embedded DNS in a sandbox: names and aliases from containers (getent and dig), round
// robin, PTR, NXDOMAIN, TCP, scope between networks, a removed container, and events.
import t from 'tap';
import { request } from 'node:http';
import { sandbox, WORLD_IP } from '../helpers/sandbox.js';

const sb = await sandbox('dna');
t.teardown(() => sb.down());
const [a, b, c, x] = ['a', 'b', 'c', 'x'].map((n) => sb.name(n)) as [string, string, string, string];
const GW = '10.231.0.1';
const OTHER_GW = '10.232.0.1';
// Whatever would be forwarded (a name the search list expands) goes to the test's own world, never a real resolver.
const UPSTREAM = ['--dns', WORLD_IP];

/** dig from a container: +short answers, or the status line with +noall +comments. */
const dig = async (from: string, args: string[]) => (await sb.exec(from, ['dig', '+tries=1', '+time=2', ...args])).stdout;
const short = async (from: string, server: string, ...q: string[]) => (await dig(from, [`@${server}`, '+short', ...q])).trim().split('\n').filter(Boolean);
const status = async (from: string, server: string, ...q: string[]) => /status: (\w+)/.exec(await dig(from, [`@${server}`, ...q]))?.[1];

/** The events nslabd streams while `fn` runs. */
async function eventsDuring(fn: () => Promise<unknown>): Promise<Array<{ type: string; name: string; detail?: Record<string, unknown> }>> {
  let body = '';
  const req = request({ socketPath: sb.socket, path: '/v1/events' });
  const res = await new Promise<import('node:http').IncomingMessage>((r) => req.on('response', r).end());
  res.setEncoding('utf8').on('data', (d: string) => (body += d));
  await fn();
  await new Promise((r) => setTimeout(r, 300));
  req.destroy();
  return body.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

t.before(async () => {
  await sb.startDaemon({}, UPSTREAM);
  for (const [net, subnet] of [['lab', '10.231.0.0/24'], ['other', '10.232.0.0/24']]) {
    const r = await sb.cli(['network', 'create', net!, '--subnet', subnet!]);
    if (r.code) throw new Error(r.stderr);
  }
});

let ipA = '', ipB = '';
t.test('names and aliases of containers resolve inside a container through nslabd on the gateway', async (t) => {
  const events = await eventsDuring(async () => {
    for (const [n, extra] of [[a, ['--alias', 'web']], [b, ['--network-alias', 'web', '--hostname', 'bee']], [c, []]] as const) {
      const r = await sb.cli(['container', 'create', n, '--network', 'lab', ...extra]);
      t.equal(r.code, 0, r.stderr);
      t.notMatch(r.stderr, /need nslabd/, 'through nslabd: no notice that aliases need it');
    }
  });
  ipA = (await short(c, GW, a))[0]!;
  ipB = (await short(c, GW, b))[0]!;
  t.match(ipA, /^10\.231\.0\.\d+$/);
  t.not(ipA, ipB);
  t.match((await sb.exec(c, ['cat', '/etc/resolv.conf'])).stdout, new RegExp(`^nameserver ${GW.replace(/\./g, '\\.')}$`, 'm'), "the container's resolv.conf names the gateway");
  // The search domain's long form is in no hosts file: getent goes to nslabd for it.
  const g = await sb.exec(c, ['getent', 'hosts', `${a}.nslab.internal`]);
  t.equal(g.stdout.split(/\s+/)[0], ipA, `getent hosts ${a}.nslab.internal from ${c}`);
  t.equal((await sb.exec(c, ['getent', 'hosts', 'bee'])).stdout.split(/\s+/)[0], ipB, 'a hostname resolves (bare, through the search list)');
  t.same((await short(c, GW, 'WEB.nslab.internal')).sort(), [ipA, ipB].sort(), 'an alias, in any case, long form');
  const reg = events.filter((e) => e.type === 'dns.registered');
  t.ok(reg.some((e) => e.name === 'web' && e.detail?.network === 'lab' && e.detail?.address === ipA), 'events: the alias web registered for a');
  t.ok(reg.some((e) => e.name === a && e.detail?.address === ipA), 'events: the name of a');
});

t.test('an alias of two containers: both addresses, the order rotating between queries', async (t) => {
  const orders = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const got = await short(c, GW, 'web');
    t.same([...got].sort(), [ipA, ipB].sort(), 'both A records');
    orders.add(got.join(','));
  }
  t.equal(orders.size, 2, 'round robin: the first address changes between queries');
  const tcp = await short(c, GW, '+tcp', 'web');
  t.same([...tcp].sort(), [ipA, ipB].sort(), 'over TCP as well');
});

t.test('PTR for container addresses, NXDOMAIN for unknown names of the network', async (t) => {
  t.same(await short(c, GW, '-x', ipA), [`${a}.nslab.internal.`], 'reverse of a');
  t.equal(await status(c, GW, 'nosuch'), 'NXDOMAIN', 'an unknown single label');
  t.equal(await status(c, GW, 'nosuch.nslab.internal'), 'NXDOMAIN', 'an unknown name of nslab.internal');
  t.equal(await status(c, GW, '-x', '10.231.0.200'), 'NXDOMAIN', 'reverse of an unused address of the subnet');
  t.equal(await status(c, GW, 'AAAA', a), 'NOERROR', 'AAAA of a known name: no data, no error (IPv4 only)');
  t.same(await short(c, GW, 'AAAA', a), []);
});

t.test('scope: a container on another network cannot resolve the names of this one', async (t) => {
  t.equal((await sb.cli(['container', 'create', x, '--network', 'other'])).code, 0);
  t.same(await short(x, OTHER_GW, x), [(await sb.ipJson<Array<{ addr_info: Array<{ local: string }> }>>(['addr', 'show', 'eth0'], x))[0]!.addr_info[0]!.local], 'its own name on its own network');
  t.equal(await status(x, OTHER_GW, a), 'NXDOMAIN', `${a} is not a name of network other`);
  t.equal(await status(x, OTHER_GW, 'web'), 'NXDOMAIN', 'nor is the alias web');
  t.equal(await status(x, GW, a), 'REFUSED', "asking lab's gateway from network other is refused");
  t.same(await short(c, GW, x), [], `and ${x} is not a name of lab`);
});

t.test('a removed container stops resolving; its alias keeps the other address', async (t) => {
  // +nocookie: the same bytes every time but the id, so the second answer comes from nslabd's
  // reply cache, which the removal must empty.
  for (const round of [1, 2]) t.same(await short(c, GW, '+nocookie', b), [ipB], `${b} resolves (query ${round} of the same bytes)`);
  const events = await eventsDuring(() => sb.cli(['container', 'rm', b]));
  t.same(await short(c, GW, 'web'), [ipA], 'web: only a left');
  t.equal(await status(c, GW, b), 'NXDOMAIN', `${b} is gone`);
  t.equal(await status(c, GW, '+nocookie', b), 'NXDOMAIN', `${b} is gone from the reply cache too`);
  t.equal(await status(c, GW, '-x', ipB), 'NXDOMAIN', 'and its reverse');
  t.ok(events.some((e) => e.type === 'dns.removed' && e.name === 'web' && e.detail?.address === ipB), 'events: web → b removed');
});

t.test('nslabd stopped: nothing listens on port 53; started again, the names are back', async (t) => {
  await sb.stopDaemon();
  const ss = await sb.exec(sb.host, ['ss', '-Hlnu', 'sport', '=', ':53']);
  t.equal(ss.stdout.trim(), '', 'no UDP socket on port 53 in the host');
  t.equal((await sb.exec(sb.host, ['ss', '-Hlnt', 'sport', '=', ':53'])).stdout.trim(), '', 'no TCP listener either');
  t.match(await dig(c, [`@${GW}`, a]), /connection refused|timed out|no servers/, 'the gateway does not answer');
  const r = await sb.cli(['container', 'create', sb.name('d'), '--network', 'lab', '--alias', 'api']);
  t.equal(r.code, 0);
  t.equal(r.stderr.match(/need(s)? nslabd/g)?.length, 1, 'in-process, aliases: told once that they need nslabd');
  await sb.startDaemon({}, UPSTREAM);
  t.same(await short(c, GW, a), [ipA], 'served again after the start-up reconcile');
  t.equal((await short(c, GW, 'api')).length, 1, 'the alias made without nslabd is served now');
});
