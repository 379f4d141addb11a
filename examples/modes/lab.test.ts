// The network modes lesson in a sandbox: bridge, host, none and container:OTHER, compared on the kernel.
import t from 'tap';
import { execa } from 'execa';
import { sandbox } from '../../test/helpers/sandbox.js';
import { exampleLab, proveExample } from '../../test/helpers/example-lab.js';

const sb = await sandbox('edm');
t.teardown(() => sb.down());
const lab = exampleLab(sb, 'modes');
const [bridged, onhost, nonet, sidecar] = ['bridged', 'onhost', 'nonet', 'sidecar'].map((n) => sb.name(n));

/** The network namespace a process in `ns` runs in (net:[INODE]). */
const nsOf = async (ns: string) => (await sb.exec(ns, ['readlink', '/proc/self/ns/net'])).stdout.trim();
const linkNames = async (ns?: string) => (await sb.ipJson(['link', 'show'], ns)).map((l: any) => l.ifname).sort();

await proveExample(t, sb, lab, {
  prove: async (t) => {
    const host = String((await execa('nsenter', [`--net=/run/netns/${sb.host}`, 'readlink', '/proc/self/ns/net'])).stdout).trim();
    t.match(host, /^net:\[\d+\]$/);
    t.equal(await nsOf(onhost), host, 'host: the host\'s own namespace');
    t.same(await linkNames(onhost), await linkNames(), 'host: it sees the host\'s links');
    t.ok((await linkNames(onhost)).includes('nslab-modenet'), 'the bridge among them');

    t.not(await nsOf(nonet), host, 'none: a namespace of its own');
    t.same(await linkNames(nonet), ['lo'], 'none: only lo');
    t.same(await sb.ipJson(['route', 'show'], nonet), [], 'none: no route');

    t.not(await nsOf(bridged), host, 'bridge: a namespace of its own');
    t.equal(await nsOf(sidecar), await nsOf(bridged), 'container:bridged: the same namespace as bridged');
    const eth0 = async (ns: string) => {
      const l = (await sb.ipJson(['addr', 'show', 'eth0'], ns))[0] as any;
      return { mac: l.address, ip: l.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`) };
    };
    t.same(await eth0(sidecar), await eth0(bridged), 'the same eth0, address and MAC');
    t.same((await eth0(bridged)).ip, ['10.202.0.10/24']);
    // One localhost: a server bound to 127.0.0.1 in sidecar answers bridged.
    await sb.startServer(sidecar, '127.0.0.1', 8000);
    t.equal((await sb.tcpFrom(bridged, '127.0.0.1', 8000)).stdout.trim(), '127.0.0.1', 'sidecar\'s localhost is bridged\'s');
    await sb.stopServers();
    t.equal((await sb.ping(sb.host, '10.202.0.10')).code, 0, 'the host reaches bridged over the bridge');
  },
});
