// The probe's two commands as values: the TRACE rule's match (this packet only) and the packet sent from inside SRC.
import type { Command } from '../exec/command.js';
import type { TraceResult } from './hops.js';

/**
 * The match and target of the trace rule: source, destination, protocol and port of the probe
 * (tcp: its SYN only; icmp: echo requests), with `marker` as its comment so that exactly this
 * rule is removed afterwards and its own trace line is left out.
 */
export function traceRuleSpec(p: TraceResult['packet'], marker: string): string[] {
  const proto = p.proto === 'tcp' ? ['-p', 'tcp', '-m', 'tcp', '--dport', String(p.dport), '--syn']
    : p.proto === 'udp' ? ['-p', 'udp', '-m', 'udp', '--dport', String(p.dport)]
      : ['-p', 'icmp', '-m', 'icmp', '--icmp-type', '8'];
  return ['-s', `${p.src}/32`, '-d', `${p.dst}/32`, ...proto, '-m', 'comment', '--comment', marker, '-j', 'TRACE'];
}

/** Node one-liners for a TCP connect and a UDP datagram: what they print is what the probe saw. */
const TCP = `const s=require('net').connect(+process.argv[2],process.argv[1]);s.setTimeout(2000,()=>{console.log('no answer within 2 s');process.exit(0)});s.on('connect',()=>{console.log('connected');process.exit(0)});s.on('error',e=>{console.log(e.code==='ECONNREFUSED'?'refused (RST)':e.code);process.exit(0)})`;
const UDP = `const s=require('dgram').createSocket('udp4');s.send('nslab trace probe\\n',+process.argv[2],process.argv[1],e=>{console.log(e?e.code:'datagram sent');s.close()})`;

/** The probe, run inside SRC's namespace with `ip netns exec` (argv only, never a shell). */
export function probeCommand(ns: string, p: TraceResult['packet']): Command {
  const inNs = ['netns', 'exec', ns];
  if (p.proto === 'icmp') return { kind: 'cmd', file: 'ip', args: [...inNs, 'ping', '-c', '1', '-W', '2', p.dst], mutates: true };
  return { kind: 'cmd', file: 'ip', args: [...inNs, process.execPath, '-e', p.proto === 'tcp' ? TCP : UDP, p.dst, String(p.dport)], mutates: true };
}

/** What the probe saw, in a few words: ping's answer, or what the TCP/UDP one-liner printed. */
export function sentWords(proto: TraceResult['packet']['proto'], exitCode: number, stdout: string): string {
  if (proto === 'icmp') return exitCode === 0 ? 'ping: an echo reply came back' : 'ping: no echo reply within 2 s';
  return `${proto}: ${stdout.trim() || `the probe exited ${exitCode}`}`;
}
