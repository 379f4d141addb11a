// The topology of the live kernel as plain data: what `nslab diagram` draws and `--json` prints.

/**
 * Who made an object, from nslab's marks (link aliases, rule comments, the /etc/netns marker):
 * nslab (with the lab id its mark names), or someone else — a student's hand, Docker, a script.
 */
export interface Owner {
  nslab: boolean;
  /** The lab id in nslab's mark; absent for the release before lab ids (or not nslab's). */
  lab?: string;
  /** The mark names the lab of the state directory the diagram was drawn for. */
  thisLab?: boolean;
  /** This lab's records (state.json) name the object too. */
  recorded?: boolean;
}

export const NOT_NSLAB: Owner = { nslab: false };

/** One interface as the diagram shows it. */
export interface Iface {
  name: string;
  /** veth, bridge, macvlan, ipvlan, vxlan, … ("device" for a plain one). */
  kind: string;
  up: boolean;
  mtu: number;
  mac?: string;
  /** IPv4 and global IPv6 addresses as "ip/prefix" (link-local ones left out). */
  addrs: string[];
  master?: string;
}

/** Where an interface lives: a named namespace, or the host (the namespace nslab runs in) when absent. */
export interface End {
  netns?: string;
  name: string;
  addrs: string[];
  up: boolean;
  master?: string;
}

/** A veth pair with both ends named; `b` is absent when the peer lives in a namespace no name shows. */
export interface Veth {
  a: End;
  b?: End;
  owner: Owner;
  /** The container and interface the mark names (nslab's host ends carry them). */
  endpoint?: { container: string; ifname: string };
}

export interface Bridge {
  name: string;
  owner: Owner;
  /** The nslab network its mark names. */
  network?: string;
  up: boolean;
  mtu: number;
  mac?: string;
  /** The gateway address(es) it holds, "ip/prefix". */
  addrs: string[];
  /** Its ports (host links enslaved to it). */
  ports: string[];
}

export interface Namespace {
  name: string;
  /** Other names of the same namespace (a container sharing another's: container:OTHER). */
  aliases: string[];
  owner: Owner;
  /** It is the host's own namespace (a container in host mode, or the name of the sandbox host). */
  isHost: boolean;
  /** Its interfaces but lo. */
  ifaces: Iface[];
  /** Its default route: the gateway and the interface towards it. */
  gateway?: { via?: string; dev?: string };
  /** A link joins it to the host (veth peer, macvlan parent, …): else it is listed apart. */
  attached: boolean;
}

/** A macvlan or ipvlan child with its parent link. */
export interface Child {
  kind: 'macvlan' | 'ipvlan';
  end: End;
  mode?: string;
  /** The parent's name in the host, or "ifindex N" when it lives elsewhere. */
  parent?: string;
  owner: Owner;
}

export interface Vxlan {
  netns?: string;
  name: string;
  vni?: number;
  local?: string;
  /** The underlay device. */
  dev?: string;
  port?: number;
  /** The multicast group or single remote given at creation. */
  group?: string;
  /** VTEPs from the forwarding database (`bridge fdb show dev NAME`). */
  peers: string[];
  master?: string;
  owner: Owner;
}

/** A MASQUERADE rule of nat POSTROUTING (or a chain it reaches). */
export interface Masquerade {
  source?: string;
  /** `-o IF`, or `! -o IF` as notOut. */
  out?: string;
  notOut?: string;
  /** The nslab network its comment names. */
  network?: string;
  owner: Owner;
  rule: string;
}

/** A published port: a DNAT rule reached from nat PREROUTING or OUTPUT. */
export interface Port {
  protocol: string;
  hostIp?: string;
  hostPort: string;
  toIp: string;
  toPort?: string;
  container?: string;
  network?: string;
  owner: Owner;
}

export interface Topology {
  /** The lab id of the state directory the owners were judged for (absent: no lab recorded there). */
  labId?: string;
  host: { ifaces: Iface[]; gateway?: { via?: string; dev?: string } };
  bridges: Bridge[];
  namespaces: Namespace[];
  veths: Veth[];
  children: Child[];
  vxlans: Vxlan[];
  masquerades: Masquerade[];
  ports: Port[];
  /** What could not be read (a namespace that went away mid-read, an unreadable nat table). */
  notes: string[];
}

/** The words a renderer puts beside an object that is not this lab's. Pure. */
export function ownerTag(o: Owner): string | undefined {
  if (!o.nslab) return "not nslab's";
  if (o.thisLab) return undefined;
  return o.lab ? `nslab lab ${o.lab}` : 'nslab, older release';
}
