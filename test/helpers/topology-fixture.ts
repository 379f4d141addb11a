// A fixed kernel for the diagram's unit tests: what the reader would have read of a host holding a
// 2-network, 6-container nslab lab (one port published), a bridge + namespace + veth made by hand,
// a macvlan child, a VXLAN device and a namespace linked to nothing.
import type { RawLink, RawNamed, RawTopology, RawView } from '../../src/topology/assemble.js';

export const LAB = 'aaaabbbb';
const HOST_ID = '4:1';
const up = ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'];
const lo: RawLink = { ifindex: 1, ifname: 'lo', mtu: 65536, flags: ['LOOPBACK', 'UP', 'LOWER_UP'] };
const addr = (ifname: string, ...cidrs: string[]) => ({ ifname, addr_info: cidrs.map((c) => ({ family: c.includes(':') ? 'inet6' : 'inet', local: c.split('/')[0]!, prefixlen: Number(c.split('/')[1]) })) });

export const CONTAINERS = ['web1', 'web2', 'web3', 'db1', 'db2', 'db3'];
const netOf = (c: string) => (c.startsWith('web') ? { net: 'web', third: 1 } : { net: 'db', third: 2 });
const ipOf = (c: string) => `10.88.${netOf(c).third}.${Number(c.slice(-1)) + 1}`;

/** The raw reads; `extra` overrides fields (a test's variation). */
export function rawFixture(extra: Partial<RawTopology> = {}): RawTopology {
  const hostLinks: RawLink[] = [
    lo,
    { ifindex: 2, ifname: 'eth0', mtu: 1500, flags: up, address: '52:54:00:12:34:56' },
    { ifindex: 3, ifname: 'nslab-web', mtu: 1500, flags: up, address: '02:42:0a:58:01:01', ifalias: `nslab:${LAB}:network:web`, linkinfo: { info_kind: 'bridge' } },
    { ifindex: 4, ifname: 'nslab-db', mtu: 1500, flags: up, address: '02:42:0a:58:02:01', ifalias: `nslab:${LAB}:network:db`, linkinfo: { info_kind: 'bridge' } },
    { ifindex: 5, ifname: 'br0', mtu: 1500, flags: up, linkinfo: { info_kind: 'bridge' } },
    ...CONTAINERS.map((c, i): RawLink => ({
      ifindex: 6 + i, ifname: `nv-${c}-0`, mtu: 1500, flags: up, master: `nslab-${netOf(c).net}`, link_index: 2, link_netnsid: i,
      ifalias: `nslab:${LAB}:endpoint:${c}:eth0`, linkinfo: { info_kind: 'veth' },
    })),
    { ifindex: 12, ifname: 'vhost', mtu: 1500, flags: up, master: 'br0', link_index: 2, link_netnsid: 6, linkinfo: { info_kind: 'veth' } },
    { ifindex: 13, ifname: 'vx0', mtu: 1450, flags: up, linkinfo: { info_kind: 'vxlan', info_data: { id: 42, link: 'eth0', port: 4789, local: '10.0.2.15' } } },
  ];
  const host: RawView = {
    links: hostLinks,
    addrs: [addr('eth0', '10.0.2.15/24'), addr('nslab-web', '10.88.1.1/24'), addr('nslab-db', '10.88.2.1/24'), addr('br0', '10.99.0.1/24')],
    routes: [{ dst: 'default', gateway: '10.0.2.2', dev: 'eth0' }, { dst: '10.0.2.0/24', dev: 'eth0' }],
  };
  const container = (c: string, i: number): RawNamed => ({
    name: c, id: `4:${100 + i}`, marker: { host: 'net:[1]', lab: LAB },
    view: {
      links: [lo, { ifindex: 2, ifname: 'eth0', mtu: 1500, flags: up, link_index: 6 + i, link_netnsid: 0, linkinfo: { info_kind: 'veth' } }],
      addrs: [addr('eth0', `${ipOf(c)}/24`, 'fe80::1/64')],
      routes: [{ dst: 'default', gateway: `10.88.${netOf(c).third}.1`, dev: 'eth0' }],
    },
  });
  const named: RawNamed[] = [
    ...CONTAINERS.map(container),
    // web1 shared under a second name (container:web1).
    { ...container('web1', 0), name: 'web1x', marker: undefined },
    { name: 'hand', id: '4:200', view: {
      links: [lo, { ifindex: 2, ifname: 'vpeer', mtu: 1500, flags: up, link_index: 12, link_netnsid: 0, linkinfo: { info_kind: 'veth' } }],
      addrs: [addr('vpeer', '10.99.0.2/24')], routes: [{ dst: 'default', gateway: '10.99.0.1', dev: 'vpeer' }],
    } },
    { name: 'mv', id: '4:201', nsids: { 0: HOST_ID }, view: {
      links: [lo, { ifindex: 2, ifname: 'mv0', mtu: 1500, flags: up, link_index: 2, link_netnsid: 0, linkinfo: { info_kind: 'macvlan', info_data: { mode: 'bridge' } } }],
      addrs: [addr('mv0', '10.0.2.50/24')], routes: [],
    } },
    { name: 'lonely', id: '4:202', view: { links: [lo], addrs: [], routes: [] } },
    { name: 'nslt-x-h', id: HOST_ID, view: { links: [], addrs: [], routes: [] } },
  ];
  const nat = [
    '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':NSLAB-DNAT - [0:0]', ':NSLAB-POSTROUTING - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment nslab -j NSLAB-DNAT',
    '-A OUTPUT -m addrtype --dst-type LOCAL -m comment --comment nslab -j NSLAB-DNAT',
    '-A POSTROUTING -m comment --comment nslab -j NSLAB-POSTROUTING',
    '-A POSTROUTING -s 10.99.0.0/24 -o eth0 -j MASQUERADE',
    `-A NSLAB-DNAT -p tcp -m tcp --dport 8080 -m comment --comment "nslab:${LAB}:net=web:ctr=web1" -j DNAT --to-destination 10.88.1.2:80`,
    `-A NSLAB-DNAT -d 127.0.0.1/32 -p udp -m udp --dport 5353 -m comment --comment "nslab:${LAB}:net=db:ctr=db1" -j DNAT --to-destination 10.88.2.2:53`,
    `-A NSLAB-POSTROUTING -s 10.88.1.0/24 ! -o nslab-web -m comment --comment "nslab:${LAB}:net=web" -j MASQUERADE`,
    `-A NSLAB-POSTROUTING -s 10.88.2.0/24 ! -o nslab-db -m comment --comment "nslab:${LAB}:net=db" -j MASQUERADE`,
    `-A NSLAB-POSTROUTING -s 10.88.1.0/24 -d 10.88.1.2/32 -o nslab-web -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -m comment --comment "nslab:${LAB}:net=web:ctr=web1" -j MASQUERADE`,
    'COMMIT', '',
  ].join('\n');
  return {
    hostId: HOST_ID, host, hostNsids: { ...Object.fromEntries(CONTAINERS.map((_, i) => [i, `4:${100 + i}`])), 6: '4:200', 7: '4:201' },
    named, fdb: { '/vx0': ['192.0.2.7', '192.0.2.8'] }, nat: { text: nat }, labId: LAB,
    records: { networks: ['web', 'db'], containers: CONTAINERS }, notes: [], ...extra,
  };
}
