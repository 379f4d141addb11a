// The docker0 lesson in a sandbox: a bridge, two containers, forwarding, NAT to the world, resolv.conf.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { HOST_IP, sandbox } from '../../test/helpers/sandbox.js';
import { exampleLab, proveExample } from '../../test/helpers/example-lab.js';

const sb = await sandbox('edd');
t.teardown(() => sb.down());
const lab = exampleLab(sb, 'docker0');
const [c4, c5] = [sb.name('container4'), sb.name('container5')];

await proveExample(t, sb, lab, {
  prove: async (t) => {
    const br = (await sb.ipJson(['-d', 'addr', 'show', 'br0']))[0] as any;
    t.equal(br.linkinfo.info_kind, 'bridge', 'br0 is a bridge');
    t.same(br.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen} brd ${a.broadcast}`), ['10.201.0.1/24 brd 10.201.0.255']);
    const ports = (await sb.ipJson(['link', 'show', 'master', 'br0'])).length;
    t.equal(ports, 2, 'two host ends on br0');
    for (const [c, ip] of [[c4, '10.201.0.4'], [c5, '10.201.0.5']] as const) {
      const eth0 = (await sb.ipJson(['addr', 'show', 'eth0'], c))[0] as any;
      t.same(eth0.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => a.local), [ip], `${c}: eth0 ${ip}`);
      t.ok((await sb.ipJson(['route', 'show', 'default'], c)).some((r: any) => r.gateway === '10.201.0.1'), `${c}: default via 10.201.0.1`);
      t.match(readFileSync(`/etc/netns/${c}/resolv.conf`, 'utf8'), /^nameserver 10\.201\.0\.1$/m, `${c}: resolv.conf in /etc/netns`);
    }
    t.equal((await sb.ping(c4, '10.201.0.5')).code, 0, 'container4 → container5 across br0');
    t.equal((await sb.exec(sb.host, ['cat', '/proc/sys/net/ipv4/ip_forward'])).stdout.trim(), '1', 'ip_forward=1');
    t.match(await sb.iptables(), /-A NSLAB-POSTROUTING -s 10\.201\.0\.0\/24 ! -o br0 .*-j MASQUERADE/);
    await sb.startWorldServer();
    const r = await sb.tcpFrom(c5);
    // The world has no route back to 10.201.0.0/24: only MASQUERADE lets the answer come back.
    t.equal(r.stdout.trim(), HOST_IP, 'the world sees the host address, not 10.201.0.5');
    await sb.stopServers();
  },
});
