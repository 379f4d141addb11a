// `--probe`: one real packet from SRC, traced by the kernel (a TRACE rule matched narrowly on it, read with xtables-monitor), then the rule removed.
import { spawn, type ChildProcess } from 'node:child_process';
import { ValidationError } from '../errors.js';
import type { Command } from '../exec/command.js';
import type { Runner } from '../exec/runner.js';
import { shellLine } from '../exec/shell.js';
import { traceComment } from '../firewall/iptables/names.js';
import { listNetns } from '../kernel/netns.js';
import type { TraceResult } from './hops.js';
import { networkOf, readHost } from './host.js';
import type { TraceRequest } from './parse-target.js';
import { compare, markerRe, parseMonitor } from './probe-parse.js';
import type { ProbeResult } from './probe-types.js';
import { KernelReader } from './read.js';
import { probeCommand, sentWords, traceRuleSpec } from './probe-commands.js';

const MONITOR = ['stdbuf', '-oL', 'xtables-monitor', '--trace', '--event'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * May a probe go to `dst`? Only to the host's own addresses or an address held by a namespace
 * in /run/netns; and when the paper trace says the packet leaves the host, only if the host's
 * next hop for it is such an address too (a namespace holding 8.8.8.8 on a dummy link must not
 * make a probe go out by the real default route).
 */
async function checkTarget(k: KernelReader, dst: string, hostAddrs: Set<string>, leaves: boolean): Promise<void> {
  // Every namespace's addresses, read once (and only when the host's own do not answer).
  let inNamespaces: Promise<Set<string>> | undefined;
  const readNamespaces = async () => {
    const lists = await Promise.all([...(await listNetns())].map((ns) => k.addrs(ns).catch(() => [])));
    return new Set(lists.flat().flatMap((a) => a.addr_info.map((i) => i.local)));
  };
  const held = async (addr: string) => hostAddrs.has(addr) || (await (inNamespaces ??= readNamespaces())).has(addr);
  if (!(await held(dst))) throw new ValidationError('dst', `a probe goes only to the host or to an address of a namespace on this host (ip netns); ${dst} is neither`);
  if (!leaves) return;
  const next = (await k.routeGet([dst])).route?.gateway ?? dst;
  if (next !== dst && !(await held(next))) {
    throw new ValidationError('dst', `${dst} is held by a namespace on this host, but the host would send the probe to ${next}, which is not: a probe stays on this host`);
  }
}

/** Start `xtables-monitor --trace --event` here (the host namespace); resolves once it has seen `marker`'s rule added, or after `ms`. */
function startMonitor(): { child: ChildProcess; text: () => string; saw: (s: RegExp, ms: number) => Promise<boolean> } {
  // xtables-monitor writes through stdio: into a pipe its lines would wait in a block buffer until it
  // exits; stdbuf -oL flushes each line, so the echo of our rule tells that it listens.
  const child = spawn('stdbuf', MONITOR.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (text += d));
  child.on('error', () => undefined);
  const saw = async (s: RegExp, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (s.test(text)) return true;
    return s.test(text);
  };
  return { child, text: () => text, saw };
}

/**
 * Send one probe of `req` from SRC and read which rules the kernel traced for it. Adds one rule
 * (raw PREROUTING, -j TRACE, matched on this packet only, commented with a marker) and removes
 * exactly that rule afterwards, also on failure or interruption. With `dryRun`, only prints
 * the commands. Throws ValidationError (exit 2) for a destination it may not probe.
 */
export async function runProbe(runner: Runner, req: TraceRequest, t: TraceResult, o: { dryRun: boolean }): Promise<ProbeResult> {
  if (req.src.kind !== 'container') throw new ValidationError('src', 'a probe is sent from a container');
  const k = new KernelReader(runner);
  const h = await readHost(k);
  const local = new Set(h.addrs.flatMap((a) => a.addr_info.map((i) => i.local)));
  await checkTarget(k, t.packet.dst, local, t.outcome.kind === 'left');
  const v = await k.read('iptables', ['-V']);
  // iptables-legacy's TRACE writes to the kernel log, which namespaces other than the first do not get (nf_log_all_netns=0).
  if (!v.ok || !v.out.includes('nf_tables')) throw new ValidationError('probe', `--probe needs iptables' nf_tables backend (iptables-nft, Debian's default): this host has ${v.ok ? v.out.trim() : 'no iptables'}`);
  const marker = traceComment(process.pid);
  const spec = traceRuleSpec(t.packet, marker);
  const add: Command = { kind: 'cmd', file: 'iptables', args: ['--wait', '-t', 'raw', '-I', 'PREROUTING', '1', ...spec], mutates: true };
  const del: Command = { kind: 'cmd', file: 'iptables', args: ['--wait', '-t', 'raw', '-D', 'PREROUTING', ...spec], mutates: true, absentOk: true };
  const send = probeCommand(req.src.name, t.packet);
  const commands = [`${shellLine(MONITOR)} &`, shellLine([add.file, ...add.args]), shellLine([send.file, ...send.args]), 'kill %1', shellLine([del.file, ...del.args])];
  if (o.dryRun) return { commands, sent: 'not sent (--dry-run)', hits: [], differences: [], cleanup: 'nothing was added' };
  const mon = startMonitor();
  const mine = markerRe(marker);
  // Set before the rule is added: a signal during `iptables -I` may come after the kernel took
  // it, and the delete is fine with no such rule.
  let added = false;
  // An interrupted probe (Ctrl-C, kill, a closed terminal) still removes its rule and ends the
  // monitor; a second signal while that runs changes nothing.
  let ending = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (ending) return;
    ending = true;
    mon.child.kill();
    const code = 128 + (sig === 'SIGHUP' ? 1 : sig === 'SIGTERM' ? 15 : 2);
    if (added) void runner.run(del).catch(() => undefined).finally(() => process.exit(code));
    else process.exit(code);
  };
  const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const sig of SIGNALS) process.on(sig, onSignal);
  let sent = 'not sent';
  try {
    await sleep(100); // the monitor subscribes in a few ms; its echo of the rule below confirms it
    added = true;
    const a = await runner.run(add);
    if (a.exitCode !== 0) throw new Error(`could not add the trace rule: ${a.stderr.trim()}`);
    // The monitor echoes the rule's addition: from then on it sees the probe's trace too.
    if (!(await mon.saw(mine, 3000))) sent = 'the monitor did not start; ';
    const r = await runner.run(send);
    sent = (sent === 'not sent' ? '' : sent) + sentWords(t.packet.proto, r.exitCode, r.stdout);
    await sleep(300);
  } finally {
    mon.child.kill();
    try {
      if (added) await runner.run(del);
    } finally {
      for (const sig of SIGNALS) process.removeListener(sig, onSignal);
    }
  }
  const check = await k.read('iptables-save', ['-t', 'raw']);
  commands.push(check.line);
  const left = !check.ok || mine.test(check.out);
  const hits = parseMonitor(mon.text(), marker, (i) => networkOf(h, i), { ...t.packet, ctstate: 'NEW' });
  return { commands, sent, hits, differences: compare(t, hits), cleanup: left ? `the trace rule ${marker} is STILL in raw PREROUTING: remove it with ${shellLine([del.file, ...del.args])}` : `removed the trace rule; iptables-save -t raw holds no ${marker} rule` };
}
