// rebuild-state for bridge networks: networks read back from this lab's marked bridges, and a
// container's endpoints from its marked veths and the addresses inside.
import { newId, parseBridgeAlias, parseVethAlias } from '../../engine/names.js';
import { bigToIp, rangeOf } from '../../ipam/cidr.js';
import { ipv4Of } from '../../kernel/addr.js';
import { kindOf } from '../../kernel/link.js';
import type { HostView } from '../../kernel/observe.js';
import { ipv4Subnet } from '../../state/families.js';
import type { BridgeNetwork, EndpointRecord } from '../../state/types.js';
import type { AdoptedFirewall, InsideView } from '../driver.js';

/** A veth alias of this lab's naming container `c` (another lab's or the old format's are not adopted). */
const isMine = (alias: string | undefined, c: string) => {
  const m = parseVethAlias(alias);
  return m?.owner === 'mine' && m.container === c;
};

/**
 * Networks from bridges aliased nslab:LAB:network:NAME: subnet and gateway from the bridge's
 * address, MTU from the link, masquerade/icc/internal from the rules that name it.
 */
export function adoptBridges(host: HostView, firewallFor: (network: string) => AdoptedFirewall, notes: string[]): BridgeNetwork[] {
  const out: BridgeNetwork[] = [];
  const now = new Date().toISOString();
  for (const br of host.links.filter((l) => kindOf(l) === 'bridge' && parseBridgeAlias(l.ifalias)?.owner === 'mine')) {
    const name = parseBridgeAlias(br.ifalias)!.network;
    const addr = ipv4Of(host.addrs).find((a) => a.ifname === br.ifname);
    if (!addr) {
      notes.push(`bridge ${br.ifname} (network ${name}) has no address: skipped`);
      continue;
    }
    const prefix = Number(addr.cidr.split('/')[1]);
    const subnet = `${bigToIp(rangeOf(addr.cidr)!.first)}/${prefix}`;
    const fw = firewallFor(name);
    out.push({
      name, id: newId(), driver: 'bridge', bridge: br.ifname, subnets: [{ subnet, gateway: addr.local, auxAddresses: {} }], mtu: br.mtu,
      masquerade: fw.masquerade, icc: fw.icc, internal: fw.internal, firewall: fw.backend, created: now,
    });
  }
  return out;
}

/** The host ends this lab marked as container `c`'s. */
export const vethsMarkedFor = (c: string, host: HostView) => host.links.filter((l) => isMine(l.ifalias, c)).map((l) => l.ifname);

/** Container `c`'s endpoints: each marked veth whose bridge is one of `nets`, with the address and MAC of its peer inside. */
export function adoptVeths(c: string, host: HostView, inside: Pick<InsideView, 'links' | 'addrs'>, nets: readonly BridgeNetwork[], notes: string[]): EndpointRecord[] {
  const byBridge = new Map(nets.map((n) => [n.bridge, n]));
  const out: EndpointRecord[] = [];
  for (const v of host.links.filter((l) => isMine(l.ifalias, c)).sort((a, b) => a.ifname.localeCompare(b.ifname))) {
    const ifname = parseVethAlias(v.ifalias)!.ifname;
    const net = v.master ? byBridge.get(v.master) : undefined;
    const a = ipv4Of(inside.addrs).find((x) => x.ifname === ifname);
    if (!net || !a) {
      notes.push(`container ${c}: ${ifname} has no network or address: skipped`);
      continue;
    }
    out.push({
      network: net.name, ifname, hostVeth: v.ifname, addresses: [{ ip: a.local, prefix: Number(a.cidr.split('/')[1]), gateway: ipv4Subnet(net).gateway }],
      mac: inside.links.find((l) => l.ifname === ifname)?.address ?? '', aliases: [],
    });
  }
  return out;
}
