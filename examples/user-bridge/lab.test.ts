// The user-defined bridge lesson in a sandbox: automatic addresses from the ip-range, the given gateway, the whole subnet on the bridge.
import t from 'tap';
import { sandbox, WORLD_IP } from '../../test/helpers/sandbox.js';
import { exampleLab, proveExample } from '../../test/helpers/example-lab.js';

const sb = await sandbox('edu');
t.teardown(() => sb.down());
// WORLD_IP: getent asks DNS for IPv6 even of a name the hosts file holds; the world's closed port answers at once (see exampleLab).
const lab = exampleLab(sb, 'user-bridge', { dns: WORLD_IP });
const [a1, a2, a3] = ['alpine1', 'alpine2', 'alpine3'].map((n) => sb.name(n));

/** The IPv4 addresses of `dev` in `ns`, as ADDRESS/PREFIX. */
const v4 = async (dev: string, ns?: string) =>
  ((await sb.ipJson(['addr', 'show', dev], ns))[0] as any).addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`);

await proveExample(t, sb, lab, {
  prove: async (t) => {
    const net = JSON.parse((await sb.cli(['network', 'inspect', 'mynet'])).stdout)[0];
    t.same(net.IPAM.Config, [{ Subnet: '172.72.0.0/16', IPRange: '172.72.0.0/24', Gateway: '172.72.0.1' }], 'inspect: subnet, ip-range, gateway');
    t.same(await v4('nslab-mynet'), ['172.72.0.1/16'], 'the bridge holds the gateway with the subnet\'s prefix');
    t.same(await v4('eth0', a1), ['172.72.0.2/16'], 'alpine1: the first free address of the range');
    t.same(await v4('eth0', a2), ['172.72.0.3/16'], 'alpine2: the next one');
    t.same(await v4('eth0', a3), ['172.72.1.10/16'], 'alpine3: its own address, outside the range');
    for (const c of [a1, a2, a3]) {
      const routes = await sb.ipJson(['route', 'show'], c) as any[];
      t.ok(routes.some((r) => r.dst === 'default' && r.gateway === '172.72.0.1'), `${c}: default via 172.72.0.1`);
    }
    t.equal((await sb.ping(a1, '172.72.0.3')).code, 0, 'alpine1 → alpine2');
    t.equal((await sb.ping(a1, '172.72.1.10')).code, 0, 'alpine1 → alpine3 across the /16');
    t.match((await sb.exec(a1, ['getent', 'hosts', a2])).stdout, /^172\.72\.0\.3\s/, 'alpine2 by name');
    t.match(await sb.iptables(), /-A NSLAB-POSTROUTING -s 172\.72\.0\.0\/16 ! -o nslab-mynet .*-j MASQUERADE/);
  },
});
