// The connect/disconnect lesson in a sandbox: one more interface in, exactly that one out; isolation before and after.
import t from 'tap';
import { sandbox } from '../../test/helpers/sandbox.js';
import { exampleLab, proveExample } from '../../test/helpers/example-lab.js';

const sb = await sandbox('edc');
t.teardown(() => sb.down());
const lab = exampleLab(sb, 'connect');
const [api, worker] = ['api', 'worker'].map((n) => sb.name(n));

/** ifname → IPv4 addresses inside `ns`, lo left out. */
const addrs = async (ns: string) => Object.fromEntries((await sb.ipJson(['addr', 'show'], ns) as any[]).filter((l) => l.ifname !== 'lo')
  .map((l) => [l.ifname, l.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`)]));
const defaults = async (ns: string) => (await sb.ipJson(['route', 'show', 'default'], ns) as any[]).map((r) => `${r.gateway} ${r.dev}`);
const ports = async (bridge: string) => (await sb.ipJson(['link', 'show', 'master', bridge])).map((l: any) => l.ifname).sort();

await proveExample(t, sb, lab, {
  prove: async (t) => {
    t.same(await addrs(api), { eth0: ['10.206.0.30/24'], eth1: ['10.207.0.2/24'] }, 'api: eth0 on frontend, eth1 on backend');
    t.same(await defaults(api), ['10.206.0.1 eth0'], 'api: the default route on the first network only');
    t.equal((await sb.ping(api, '10.206.0.10')).code, 0, 'api → site');
    t.equal((await sb.ping(api, '10.207.0.10')).code, 0, 'api → store');
    t.not((await sb.ping(worker, '10.207.0.10')).code, 0, 'worker cannot reach store: the networks are isolated');
    const backendPorts = await ports('nslab-backend');

    const c = await sb.cli(['network', 'connect', 'backend', worker, '--ip', '10.207.0.20']);
    t.equal(c.code, 0, c.stderr);
    t.same(await addrs(worker), { eth0: ['10.206.0.20/24'], eth1: ['10.207.0.20/24'] }, 'connect: eth1 on backend');
    t.same(await defaults(worker), ['10.206.0.1 eth0'], 'the default route stays on eth0');
    const added = (await ports('nslab-backend')).filter((p) => !backendPorts.includes(p));
    t.equal(added.length, 1, `one more host end on nslab-backend (${added})`);
    t.equal((await sb.ping(worker, '10.207.0.10')).code, 0, 'worker → store over eth1');

    const d = await sb.cli(['network', 'disconnect', 'backend', worker]);
    t.equal(d.code, 0, d.stderr);
    t.same(await addrs(worker), { eth0: ['10.206.0.20/24'] }, 'disconnect: eth1 gone, eth0 untouched');
    t.same(await ports('nslab-backend'), backendPorts, 'its host end gone from the bridge');
    t.same((await sb.ipJson(['link', 'show'])).filter((l: any) => added.includes(l.ifname)), [], 'and from the host');
    t.not((await sb.ping(worker, '10.207.0.10')).code, 0, 'isolated again');
    t.equal((await sb.ping(worker, '10.206.0.10')).code, 0, 'still on frontend');
  },
});
