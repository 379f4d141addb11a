// Docker's four network modes: a network (bridge), host, none and container:OTHER.
import t from 'tap';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('mo');
t.teardown(() => sb.down());
const [h, n, o, s] = ['h', 'n', 'o', 's'].map((x) => sb.name(x));
const names = async (ns: string) => (await sb.ipJson<Array<{ ifname: string }>>(['link', 'show'], ns)).map((l) => l.ifname).sort();
const inspect = async (c: string) => JSON.parse((await sb.cli(['container', 'inspect', c])).stdout)[0];

t.before(async () => {
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.211.0.0/24'])).code, 0);
});

t.test('host: the name points at the host namespace; nothing else is created or removed', async (t) => {
  const before = await sb.snapshot();
  const r = await sb.cli(['container', 'create', h, '--network', 'host']);
  t.equal(r.code, 0, r.stderr);
  t.same(await names(h), await names(sb.host), '`ip -n NAME link` shows the host\'s links');
  const after = await sb.snapshot();
  t.same({ ...after, netns: [], etc: [] }, { ...before, netns: [], etc: [] }, 'no link, address, route or rule was made');
  t.same(after.netns, [h], 'only the name');
  t.equal((await sb.cli(['container', 'create', h, '--network', 'host'])).code, 0, 'create again: no change');
  t.equal((await inspect(h)).HostConfig.NetworkMode, 'host');
  t.same(Object.keys((await inspect(h)).NetworkSettings.Networks), ['host']);
  t.equal((await sb.cli(['container', 'rm', h])).code, 0);
  t.equal((await sb.cli(['container', 'rm', h])).code, 0, 'rm twice');
  t.same(await sb.snapshot(), before, 'removing it only removed the name');
  t.same(await names(sb.host), before.links ? (before.links as Array<{ ifname: string }>).map((l) => l.ifname).sort() : [], 'host links intact');
});

t.test('none: only lo, up', async (t) => {
  t.equal((await sb.cli(['container', 'create', n, '--network', 'none'])).code, 0);
  const links = await sb.ipJson<Array<{ ifname: string; flags: string[] }>>(['link', 'show'], n);
  t.same(links.map((l) => l.ifname), ['lo']);
  t.ok(links[0]!.flags.includes('UP'), 'lo is up');
  t.equal((await inspect(n)).HostConfig.NetworkMode, 'none');
  t.equal((await sb.ping(n, '127.0.0.1')).code, 0, 'loopback works');
  t.equal((await sb.cli(['container', 'rm', n])).code, 0);
});

t.test('container:OTHER shares the namespace: same interfaces, IP and MAC, no new veth', async (t) => {
  const before = await sb.snapshot();
  t.equal((await sb.cli(['container', 'create', o, '--network', 'lab'])).code, 0);
  const hostLinks = (await sb.snapshot()).links;
  const r = await sb.cli(['container', 'create', s, '--network', `container:${o}`]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `shares the network namespace of ${o}`);
  t.same((await sb.snapshot()).links, hostLinks, 'no new link on the host');
  const addrs = async (ns: string) => (await sb.ipJson<Array<Record<string, unknown>>>(['addr', 'show'], ns)).map((a) => ({ ifname: a.ifname, address: a.address, addr_info: a.addr_info }));
  t.same(await addrs(s), await addrs(o), 'same interfaces, addresses and MACs');
  t.equal((await sb.ping(s, '10.211.0.1')).code, 0, 'the sharer reaches the gateway');
  t.equal((await inspect(s)).HostConfig.NetworkMode, `container:${o}`);
  t.equal((await sb.cli(['container', 'create', s, '--network', `container:${o}`])).code, 0, 'create again: no change');

  const refused = await sb.cli(['container', 'rm', o]);
  t.equal(refused.code, 2, 'removing OTHER while shared is refused');
  t.match(refused.stderr, `shared by ${s}`);
  t.equal((await sb.cli(['--json', 'container', 'ls'])).stdout.includes(o), true, 'and nothing changed');
  const forced = await sb.cli(['container', 'rm', '--force', o]);
  t.equal(forced.code, 0);
  t.match(forced.stderr, new RegExp(`${s} shared the namespace of ${o}; it keeps that namespace with only lo`), 'says what it breaks');
  t.same(await names(s), ['lo'], 'the sharer is left with lo');
  t.notOk((await sb.snapshot()).links && JSON.stringify((await sb.snapshot()).links).includes(`nv-${o}-0`), 'OTHER\'s veth is gone from the host');
  t.equal((await sb.cli(['container', 'rm', s])).code, 0);
  t.same(await sb.snapshot(), before);
});

t.test('bad mode input: exit 2, one line, nothing changes', async (t) => {
  const before = await sb.snapshot();
  const cases: Array<[string[], RegExp]> = [
    [['container', 'create', sb.name('x'), '--network', 'host', '--ip', '10.211.0.9'], /^nslab: ip: cannot be set with network mode host/],
    [['container', 'create', sb.name('x'), '--network', 'container:nope'], /^nslab: network: no such container "nope"/],
    [['container', 'create', sb.name('x'), '--network', `container:${sb.name('x')}`], /cannot share its own namespace/],
    [['container', 'create', sb.name('x'), '--network', 'none', '--network', 'lab'], /mode none cannot be combined/],
    [['container', 'create', sb.name('x'), '--network', 'container:a/b'], /^nslab: network: /],
  ];
  for (const [args, msg] of cases) {
    const r = await sb.cli(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, msg);
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
  t.same(await sb.snapshot(), before);
});

t.test('each mode created and removed twice leaves the ruleset and links as before', async (t) => {
  const state = async () => ({ iptables: await sb.iptables(), links: (await sb.snapshot()).links });
  const before = await state();
  for (let round = 1; round <= 2; round++) {
    for (const [c, mode] of [[o, 'lab'], [h, 'host'], [n, 'none'], [s, `container:${o}`]] as const) {
      t.equal((await sb.cli(['container', 'create', c, '--network', mode])).code, 0, `${mode} (round ${round})`);
    }
    t.equal((await sb.cli(['container', 'rm', s, h, n, o])).code, 0);
    t.same(await state(), before, `round ${round}: iptables-save and links as before`);
  }
});
