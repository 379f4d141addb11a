// Forwarding by nslabd's embedded DNS to fake upstreams in the world namespace (dnsmasq): the
// container's --dns first, else nslabd's --dns; over TCP too; and resolv.conf's fallback to the
// upstreams when nslabd is not running. No real DNS server is ever asked.
import t from 'tap';
import { sandbox, WORLD_IP } from '../helpers/sandbox.js';
import { startDnsmasq, type FakeDns } from '../helpers/dnsmasq.js';

const sb = await sandbox('dnb');
const OWN_UPSTREAM = '198.51.100.3';
const fakes: FakeDns[] = [];
t.teardown(async () => {
  for (const f of fakes) await f.stop();
  await sb.down();
});
const GW = '10.233.0.1';
const [plain, own] = [sb.name('p'), sb.name('o')];
const dig = async (from: string, args: string[]) => (await sb.exec(from, ['dig', '+tries=1', '+time=3', ...args])).stdout;
const short = async (from: string, ...q: string[]) => (await dig(from, [`@${GW}`, '+short', ...q])).trim();

t.before(async () => {
  // A second address in the world for the container's own upstream (on the world's side of the link).
  const w = await sb.ipJson<Array<{ ifname: string }>>(['link', 'show', 'type', 'veth'], sb.world);
  const r = await sb.exec(sb.world, ['ip', 'addr', 'add', `${OWN_UPSTREAM}/24`, 'dev', w[0]!.ifname]);
  if (r.code) throw new Error(r.stderr);
  // An empty address: dnsmasq says NXDOMAIN for that domain.
  fakes.push(await startDnsmasq(sb.world, WORLD_IP, { 'example.test': '198.51.100.77', 'example.org': '' }));
  fakes.push(await startDnsmasq(sb.world, OWN_UPSTREAM, { 'example.test': '198.51.100.78' }));
  await sb.startDaemon({}, ['--dns', WORLD_IP]);
  for (const args of [['network', 'create', 'lab', '--subnet', '10.233.0.0/24'], ['container', 'create', plain, '--network', 'lab'],
    ['container', 'create', own, '--network', 'lab', '--dns', OWN_UPSTREAM, '--dns-search', 'example.test', '--dns-option', 'ndots:2']]) {
    const r = await sb.cli(args);
    if (r.code) throw new Error(r.stderr);
  }
});

t.test("resolv.conf: the gateway first, then the container's --dns; search and options as given", async (t) => {
  const text = (await sb.exec(own, ['cat', '/etc/resolv.conf'])).stdout;
  t.match(text, `\nnameserver ${GW}\nnameserver ${OWN_UPSTREAM}\nsearch example.test\noptions ndots:2`);
  t.equal(text.split('\n').length, 5, 'the marker and those four lines');
  const inspect = JSON.parse((await sb.cli(['--json', 'container', 'inspect', own])).stdout);
  t.same(inspect[0]?.HostConfig?.DnsOptions ?? inspect.HostConfig?.DnsOptions, ['ndots:2'], 'inspect shows --dns-option');
});

t.test("other names go to the container's --dns, else to nslabd's --dns", async (t) => {
  t.equal(await short(plain, 'www.example.test'), '198.51.100.77', "no --dns: nslabd's --dns upstream answers");
  t.equal(await short(own, 'www.example.test'), '198.51.100.78', "--dns: the container's own upstream answers");
  t.equal(await short(own, '+tcp', 'www.example.test'), '198.51.100.78', 'a TCP query is forwarded over TCP');
  t.match(await dig(plain, [`@${GW}`, 'nothing.example.org']), /status: NXDOMAIN/, "the upstream's NXDOMAIN is passed on");
  t.equal((await sb.exec(plain, ['getent', 'hosts', 'www.example.test'])).stdout.split(/\s+/)[0], '198.51.100.77', 'getent from the container');
});

t.test('no upstream answers: SERVFAIL, quickly', async (t) => {
  await fakes[0]!.stop();
  const started = Date.now();
  t.match(await dig(plain, [`@${GW}`, 'www.example.test']), /status: SERVFAIL/);
  t.ok(Date.now() - started < 3000, 'within the upstream timeout');
});

t.test('nslabd stopped: resolution falls back to the upstreams in resolv.conf', async (t) => {
  await sb.stopDaemon();
  t.equal((await sb.exec(own, ['getent', 'hosts', 'www.example.test'])).stdout.split(/\s+/)[0], '198.51.100.78',
    "the gateway's closed port is skipped; the container's --dns answers");
});
