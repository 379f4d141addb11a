// `nslab trace`: the path of one packet from SRC to DST, hop by hop, from the kernel's own answers. Read-only.
import { ValidationError } from '../errors.js';
import type { Runner } from '../exec/runner.js';
import { listNetns } from '../kernel/netns.js';
import type { Hop, TraceResult } from './hops.js';
import { readHost, type HostView } from './host.js';
import { bridgedPath, routedPath, type HostPath } from './host-path.js';
import type { Packet } from './packet.js';
import type { TraceRequest } from './parse-target.js';
import { KernelReader } from './read.js';
import { replyPath } from './reply.js';
import { addressOf, worldAddress } from './route.js';
import { leaveContainer } from './start.js';

/** The destination's address and how to name it. */
async function destination(k: KernelReader, h: HostView, req: TraceRequest): Promise<{ ip: string; label: string } | undefined> {
  if (req.dst.kind === 'ip') return { ip: req.dst.ip, label: req.dst.ip };
  if (req.dst.kind === 'container') {
    const a = await addressOf(k, req.dst.name);
    if (!a) throw new ValidationError('dst', `container "${req.dst.name}" has no IPv4 address`);
    return { ip: a.ip, label: `${req.dst.name} (${a.ip})` };
  }
  const w = await worldAddress(k, h);
  return w && { ip: w.ip, label: `world (${w.ip}, standing for any address beyond the host's default route)` };
}

/**
 * Trace one packet of `req` through the kernel state read by `runner`: SRC's route and veth
 * pair, the bridge, the host's hooks and routing, delivery, and the reply's way back. Reads
 * only; the same answer twice for the same kernel state. Throws ValidationError (exit 2) for a
 * container that does not exist.
 */
export async function trace(runner: Runner, req: TraceRequest): Promise<TraceResult> {
  const present = await listNetns();
  for (const [field, end] of [['src', req.src], ['dst', req.dst]] as const) {
    if (end.kind === 'container' && !present.has(end.name)) throw new ValidationError(field, `no container named "${end.name}" (no network namespace /run/netns/${end.name})`);
  }
  const k = new KernelReader(runner);
  const h = await readHost(k);
  const hops: Hop[] = [];
  const to = await destination(k, h, req);
  const srcName = req.src.kind === 'container' ? req.src.name : 'world';
  const done = (packet: TraceResult['packet'], outcome: TraceResult['outcome'], reply: Hop[] = []): TraceResult =>
    ({ src: srcName, dst: to?.label ?? 'world', packet, hops, outcome, reply, commands: k.commands });
  const base = { proto: req.proto, ...(req.port ? { dport: req.port } : {}) };
  if (!to) {
    hops.push({ kind: 'stop', at: 'host', text: 'the host has no default route: there is no world to reach' });
    return done({ src: '?', dst: '?', ...base }, { kind: 'no-route', text: 'no route: the host has no default route' });
  }
  let packet: Packet;
  let path: HostPath;
  if (req.src.kind === 'world') {
    const w = await worldAddress(k, h);
    if (!w) {
      hops.push({ kind: 'stop', at: 'host', text: 'the host has no default route: nothing arrives from the world' });
      return done({ src: '?', dst: to.ip, ...base }, { kind: 'no-route', text: 'no route: the host has no default route' });
    }
    packet = { src: w.ip, dst: to.ip, ...base, ctstate: 'NEW', in: w.route.dev };
    hops.push({ kind: 'route', at: 'world', text: `arrives from the world (${w.ip}, standing for any address beyond the default route) on the host's uplink ${w.route.dev}`, from: w.line });
    path = await routedPath(k, h, packet, hops);
  } else {
    const ns = req.src.name;
    const a = await addressOf(k, ns);
    if (!a) {
      hops.push({ kind: 'stop', at: ns, text: `${ns} has no IPv4 address outside lo: nothing can leave it` });
      return done({ src: '?', dst: to.ip, ...base }, { kind: 'no-route', text: `no route: ${ns} has no IPv4 address` });
    }
    packet = { src: a.ip, dst: to.ip, ...base, ctstate: 'NEW' };
    const entry = await leaveContainer(k, h, ns, a.ip, to.ip, hops);
    if (entry.kind === 'stop') return done(packet, { kind: entry.outcome, text: entry.text });
    path = entry.kind === 'bridged'
      ? await bridgedPath(h, { ...packet, physIn: entry.physIn }, entry.br, entry.to, hops)
      : await routedPath(k, h, { ...packet, in: entry.in, ...(entry.physIn ? { physIn: entry.physIn } : {}) }, hops);
  }
  const reply = path.arrived ? replyPath(h, packet, path) : [];
  return done({ src: packet.src, dst: packet.dst, proto: packet.proto, ...(packet.dport ? { dport: packet.dport } : {}) }, path.outcome, reply);
}
