// A fake kernel view of the seed lab typed by hand (br0, container4/5 with veth4/5 and brid4/5),
// for the grader's unit tests; each test changes one thing of it.
import type { KernelView, NsView, SeenLink } from '../../src/grade/view.js';
import type { Lab } from '../../src/lab/labfile.js';

export const SEED_LAB: Lab = {
  networks: [{ name: 'lab', subnet: '10.201.0.0/24', gateway: '10.201.0.1', bridge: 'br0' }],
  containers: [{ name: 'container4', network: 'lab', ip: '10.201.0.4' }, { name: 'container5', network: 'lab', ip: '10.201.0.5' }],
};

export const NAT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 10.201.0.0/24 -j MASQUERADE
COMMIT
`;

const link = (ifname: string, ifindex: number, kind: string, more: Partial<SeenLink> = {}): SeenLink =>
  ({ ifname, ifindex, mtu: 1500, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], linkinfo: { info_kind: kind }, ...more });

const addr = (ifname: string, local: string, prefixlen = 24) => ({ ifname, addr_info: [{ family: 'inet', local, prefixlen }] });

function container(n: number, peerIndex: number): NsView {
  return {
    links: [link('lo', 1, '', { linkinfo: undefined }), link(`veth${n}`, 2, 'veth', { link_index: peerIndex, link_netnsid: 0, address: `aa:00:00:00:00:0${n}` })],
    addrs: [addr('lo', '127.0.0.1', 8), addr(`veth${n}`, `10.201.0.${n}`)],
    routes: [{ dst: 'default', gateway: '10.201.0.1', dev: `veth${n}` }, { dst: '10.201.0.0/24', dev: `veth${n}`, protocol: 'kernel', scope: 'link' }],
  };
}

/** The seed lab as the student typed it: every check passes. A fresh copy each call. */
export function seedView(): KernelView {
  return {
    host: {
      links: [
        link('lo', 1, '', { linkinfo: undefined }),
        link('eth0', 2, 'veth'),
        link('br0', 3, 'bridge'),
        link('brid4', 4, 'veth', { master: 'br0', link_index: 2, link_netnsid: 1 }),
        link('brid5', 5, 'veth', { master: 'br0', link_index: 2, link_netnsid: 2 }),
      ],
      addrs: [addr('eth0', '198.51.100.1'), addr('br0', '10.201.0.1')],
      routes: [{ dst: 'default', gateway: '198.51.100.2', dev: 'eth0' }],
    },
    hostId: '4:100',
    nsids: { 1: '4:104', 2: '4:105' },
    netns: { container4: { id: '4:104', view: container(4, 4) }, container5: { id: '4:105', view: container(5, 5) } },
    ipForward: '1',
    nat: { text: NAT },
    filter: { text: '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' },
    files: { container4: { 'resolv.conf': 'nameserver 8.8.8.8\n' }, container5: { 'resolv.conf': 'nameserver 8.8.8.8\n' } },
    resolvers: ['192.0.2.53'],
  };
}
