// Names through hosts files on a fake host: a network's containers by name, --link, --add-host, kept as containers come and go.
import t, { type Test } from 'tap';
import { NotFoundError, ValidationError } from '../../../src/errors.js';
import { hostsText, parseHostsParts } from '../../../src/kernel/netns-files.js';
import { parseLab } from '../../../src/lab/labfile.js';
import { parseContainerInput } from '../../../src/engine/inputs.js';
import { containerView } from '../../../src/model/views.js';
import { lab, type Lab } from '../../helpers/engine-lab.js';

const NET = { name: 'uvn', subnet: '10.201.0.0/24' };
const NET2 = { name: 'uvm', subnet: '10.202.0.0/24' };

async function withNets(): Promise<Lab> {
  const l = lab();
  for (const n of [NET, NET2]) await l.engine.createNetwork(n);
  l.reset();
  return l;
}

/** The part of a hosts file after localhost, as `part: ip names` lines. */
function namesIn(l: Lab, c: string): string[] {
  const p = parseHostsParts(l.host.readEtc(c, 'hosts')!);
  return (['self', 'peers', 'links', 'extra'] as const).flatMap((k) => p[k].map((e) => `${k}: ${e.ip} ${e.names.join(' ')}`));
}

function unchanged(t: Test, l: Lab, before: string | undefined) {
  t.same(l.lines(), [], 'nothing ran');
  t.equal(l.stateText(), before, 'state.json unchanged');
}

t.test('hosts files name the other containers of each network, and only those', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([
    { name: 'uvt-a', network: 'uvn', aliases: ['web'] }, { name: 'uvt-b', network: 'uvn' }, { name: 'uvt-c', networks: ['uvm', 'uvn'] }, { name: 'uvt-x', network: 'uvm' },
  ]);
  t.same(namesIn(l, 'uvt-a'), ['self: 10.201.0.2 uvt-a web', 'peers: 10.201.0.3 uvt-b', 'peers: 10.201.0.4 uvt-c']);
  t.same(namesIn(l, 'uvt-c'), ['self: 10.202.0.2 uvt-c', 'peers: 10.201.0.2 uvt-a', 'peers: 10.201.0.3 uvt-b', 'peers: 10.202.0.3 uvt-x'], 'on two networks: each peer by its address on the network they share');
  t.same(namesIn(l, 'uvt-x'), ['self: 10.202.0.3 uvt-x', 'peers: 10.202.0.2 uvt-c'], 'uvt-a and uvt-b are on another network: not named');
  t.notMatch(l.host.readEtc('uvt-b', 'hosts'), /\bweb\b/, "another container's alias is the DNS server's (round robin), not a hosts line");
  t.same((await l.engine.check()).drift, []);
});

t.test('a new container is added to the hosts files of its networks; a removed one leaves them', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }, { name: 'uvt-x', network: 'uvm' }]);
  l.reset();
  await l.engine.createContainers([{ name: 'uvt-b', network: 'uvn' }]);
  t.same(l.lines().filter((x) => x.startsWith('write')), ['write /etc/netns/uvt-b/resolv.conf', 'write /etc/netns/uvt-b/hosts', 'write /etc/netns/uvt-a/hosts'], "uvt-x's file is not touched");
  t.same(namesIn(l, 'uvt-a'), ['self: 10.201.0.2 uvt-a', 'peers: 10.201.0.3 uvt-b']);
  t.same((await l.engine.check()).drift, []);
  l.reset();
  await l.engine.removeContainers(['uvt-b']);
  t.same(l.lines(), ['ip netns del uvt-b', 'rm /etc/netns/uvt-b', 'write /etc/netns/uvt-a/hosts']);
  t.same(namesIn(l, 'uvt-a'), ['self: 10.201.0.2 uvt-a']);
  t.same((await l.engine.check()).drift, []);
});

t.test('connect and disconnect add and drop the name in that network only', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }, { name: 'uvt-x', network: 'uvm' }]);
  l.reset();
  await l.engine.connect('uvm', 'uvt-a');
  t.same(l.lines().filter((x) => x.startsWith('write')).sort(), ['write /etc/netns/uvt-a/hosts', 'write /etc/netns/uvt-x/hosts']);
  t.same(namesIn(l, 'uvt-x'), ['self: 10.202.0.2 uvt-x', 'peers: 10.202.0.3 uvt-a']);
  l.reset();
  await l.engine.disconnect('uvm', 'uvt-a');
  t.same(namesIn(l, 'uvt-x'), ['self: 10.202.0.2 uvt-x']);
  t.same((await l.engine.check()).drift, []);
});

t.test('--link OTHER:ALIAS and --add-host: their own parts of the file; a link follows its container', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([
    { name: 'uvt-w', network: 'uvn', links: ['uvt-d:db', 'uvt-e'], addHosts: ['gw:192.0.2.1'] },
    { name: 'uvt-d', network: 'uvn' }, { name: 'uvt-e', network: 'uvn' },
  ]);
  t.same(namesIn(l, 'uvt-w'), [
    'self: 10.201.0.2 uvt-w', 'peers: 10.201.0.3 uvt-d', 'peers: 10.201.0.4 uvt-e', 'links: 10.201.0.3 db uvt-d', 'links: 10.201.0.4 uvt-e', 'extra: 192.0.2.1 gw',
  ], 'a link to a container later in the same request is fine; the alias defaults to its name');
  t.match(l.host.readEtc('uvt-w', 'hosts'), /\n# --link: alias, then container\n10\.201\.0\.3\tdb uvt-d\n/);
  const st = await l.engine.readState();
  t.same(containerView(st.containers['uvt-w']!, st).HostConfig.Links, ['/uvt-d:/uvt-w/db', '/uvt-e:/uvt-w/uvt-e'], "inspect shows Docker's form");
  await l.engine.removeContainers(['uvt-d']);
  t.same(namesIn(l, 'uvt-w'), ['self: 10.201.0.2 uvt-w', 'peers: 10.201.0.4 uvt-e', 'links: 10.201.0.4 uvt-e', 'extra: 192.0.2.1 gw'], 'the link to a removed container goes');
  t.same((await l.engine.check()).drift, []);
});

t.test('a link is refused (exit 2, nothing changed) to a container on another network, an unknown one, itself, or from a special mode', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-x', network: 'uvm' }]);
  l.reset();
  const before = l.stateText();
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-w', network: 'uvn', links: ['uvt-x:db'] }]),
    { name: 'ValidationError', field: 'link', message: /container uvt-x is on uvm, not on a network of uvt-w \(uvn\): a link needs a shared network/ });
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-w', network: 'uvn', links: ['uvt-zz'] }]), NotFoundError);
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-w', network: 'uvn', links: ['uvt-w'] }]), ValidationError);
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-w', network: 'host', links: ['uvt-x'] }]), { field: 'link' });
  await t.rejects(async () => l.engine.createContainers([{ name: 'uvt-w', network: 'uvn', links: ['uvt-x:bad name'] }]), { field: 'link' });
  unchanged(t, l, before);
});

t.test('link input: OTHER or OTHER:ALIAS, each alias once; lab files take links: as a list', async (t) => {
  t.same(parseContainerInput({ name: 'c1', links: ['db', 'c5:cache'] }).links, [{ container: 'db', alias: 'db' }, { container: 'c5', alias: 'cache' }]);
  t.throws(() => parseContainerInput({ name: 'c1', links: ['a:x', 'b:x'] }), { field: 'link', message: /alias x is given twice/ });
  t.throws(() => parseContainerInput({ name: 'c1', links: ['a:'] }), { field: 'link' });
  t.same(parseLab('containers: {web: {links: ["c5:db"]}}').containers[0], { name: 'web', links: ['c5:db'] });
  t.same(parseLab('containers: {web: {links: c5}}').containers[0], { name: 'web', links: ['c5'] }, 'a lone value is a list of one');
});

t.test('dry-run shows the other containers\' files written, with why, and changes nothing', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-a', network: 'uvn' }]);
  l.reset();
  const before = l.stateText();
  await l.dry().createContainers([{ name: 'uvt-b', network: 'uvn' }]);
  t.match(l.script.join(''), /# write \/etc\/netns\/uvt-a\/hosts: uvt-b joined its networks\n/);
  unchanged(t, l, before);
});

t.test('rebuild-state reads links and add-host entries back from the hosts file', async (t) => {
  const l = await withNets();
  await l.engine.createContainers([{ name: 'uvt-d', network: 'uvn' }, { name: 'uvt-w', network: 'uvn', links: ['uvt-d:db'], addHosts: ['gw:192.0.2.1'] }]);
  const st = await l.engine.rebuildState();
  t.match(st.containers['uvt-w'], { links: [{ container: 'uvt-d', alias: 'db' }], addHosts: [{ name: 'gw', ip: '192.0.2.1' }] });
  t.same((await l.engine.check()).drift, [], 'the rebuilt records say what the files say');
});

t.test('parseHostsParts reads back what hostsText wrote; lines outside a part are skipped', async (t) => {
  const parts = { self: [{ ip: '10.0.0.2', names: ['a', 'web'] }], peers: [{ ip: '10.0.0.3', names: ['b'] }], links: [], extra: [{ ip: '192.0.2.1', names: ['gw'] }] };
  t.same(parseHostsParts(hostsText('a', parts)), parts);
  t.same(parseHostsParts('127.0.0.1 localhost\n10.0.0.9 x\n'), { self: [], peers: [], links: [], extra: [] });
});
