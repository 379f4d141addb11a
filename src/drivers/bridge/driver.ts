// The bridge driver: Docker's default network, a Linux bridge with containers as veth ports.
import { checkInt, checkName } from '../../engine/validate.js';
import { macForIp } from '../../ipam/cidr.js';
import { ipv4Subnet } from '../../state/families.js';
import type { BridgeNetwork } from '../../state/types.js';
import type { NetworkDriver } from '../driver.js';
import { adoptBridges, adoptVeths, vethsMarkedFor } from './adopt.js';
import { attachVeth, detachVeth, ipv6OffKey, vethConflict, vethNames } from './endpoint.js';
import { bridgeConflict, bridgeDifferences, firewallSpec, hasIpv6Stack, resolveBridge, setupBridge, teardownBridge } from './network.js';

export const bridgeDriver: NetworkDriver<BridgeNetwork> = {
  name: 'bridge',
  resolve: resolveBridge,
  checkRecord: (n) => {
    checkName('bridge', n.bridge);
    checkInt('mtu', n.mtu, 68, 65535);
  },
  options: (n) => ({
    'com.docker.network.bridge.name': n.bridge,
    'com.docker.network.bridge.enable_icc': String(n.icc),
    'com.docker.network.bridge.enable_ip_masquerade': String(n.masquerade),
    'com.docker.network.driver.mtu': String(n.mtu),
  }),
  describe: (n) => `bridge ${n.bridge}`,
  describeEndpoint: (e, n) => `host end ${e.hostVeth} on ${n.bridge}`,
  endpointView: (e, n) => ({ HostVeth: e.hostVeth, Bridge: n.bridge }),
  differences: bridgeDifferences,
  firewallSpec,
  conflict: bridgeConflict,
  setup: setupBridge,
  teardown: teardownBridge,
  // One L2 segment: the bridge has 02:42 + its gateway's bytes, each endpoint its own MAC.
  reserved: (n) => ({ ips: [], macs: [[macForIp(ipv4Subnet(n).gateway), `the bridge ${n.bridge}`]] }),
  endpointNames: vethNames,
  attach: attachVeth,
  insideSysctls: (e, n) => (hasIpv6Stack(n) ? [ipv6OffKey(e.ifname)] : []),
  detach: (c, e, _n, reason) => detachVeth(c, e, reason),
  endpointConflict: vethConflict,
  hostLinks: (n) => [n.bridge],
  endpointLinks: (e) => [e.hostVeth],
  adopt: adoptBridges,
  adoptEndpoints: adoptVeths,
  markedFor: vethsMarkedFor,
};
