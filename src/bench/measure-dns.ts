// The embedded DNS figures: queries per second, p99 latency and CPU time from 4 concurrent
// clients in a container, against nslabd on the gateway and against dnsmasq serving the same
// names from a hosts file, in one host namespace of the run (dnsmasq is started by the run,
// ended by PID). Alternating rounds, the median of each.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from './measure-cli.js';
import { withDaemon, type BenchDaemon } from './nslabd.js';
import { run, sleep, start } from './run.js';
import { median, type Figure } from './stats.js';

const CLIENTS = 4;
const SUBNET = '10.241.0.0/24';
const GW = '10.241.0.1';
/** dnsmasq's port beside nslabd's 53 on the same gateway address: the same path through the kernel. */
const RIVAL_PORT = '5353';
/** Alternating rounds of each server (a round: `queries` queries from the 4 clients). */
const DNS_ROUNDS = 5;

interface Result {
  qps: number;
  p99: number;
  answered: number;
  lost: number;
  /** Every answer the clients got, the warm-up's included. */
  seen: number;
}

/** CPU time (user and system) process `pid` has used so far, in ms: /proc's clock ticks are 1/100 s. */
export function cpuMs(stat: string): number {
  // The fields after the command's name in parentheses (which may hold spaces): utime and stime are 14 and 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}
const cpuOf = (pid: number) => cpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** Wait until a UDP socket listens on GW:port in namespace `ns` (ss), or throw after 10 s. */
async function listening(ns: string, port: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
    const { stdout } = await run(['ip', 'netns', 'exec', ns, 'ss', '-Hlnu', 'src', `${GW}:${port}`]);
    if (stdout.trim()) return;
  }
  throw new Error(`nothing listens on ${GW}:${port}`);
}

/**
 * The DNS part: an nslabd of its own in host namespace `nd`, `names` containers and `queries`
 * queries a round (see `rounds`). It runs before the parts that make hundreds of containers: the
 * kernel frees their namespaces for a minute after they are removed, which moves the p99 of both
 * servers by up to 1 ms (docs/kernel-notes.md).
 */
export async function dns(ctx: Ctx, names = 20, queries = 8000): Promise<Figure[]> {
  return withDaemon(ctx, 'nd', (d) => rounds(ctx, d, names, queries));
}

/**
 * `names` containers on one network through nslabd `d`, then DNS_ROUNDS rounds (alternating
 * which server goes first) of `queries` A queries (at most `maxMs`) of their names from one more
 * container, to nslabd's server and to dnsmasq's; each figure is the median of its rounds, the
 * CPU time is each server's own (from /proc) per 1000 answers. What it makes goes with the
 * network and the namespace.
 */
async function rounds(ctx: Ctx, { client, pid, ns }: BenchDaemon, names: number, queries: number, maxMs = 20_000): Promise<Figure[]> {
  const { scratch, root, say } = ctx;
  await client.createNetwork({ name: 'benchdns', subnet: SUBNET });
  const ctrs = Array.from({ length: names }, (_, i) => `${scratch.prefix}n${i}`);
  const qc = `${scratch.prefix}q`;
  const recs = await client.up([], [...ctrs, qc].map((name) => ({ name, network: 'benchdns' })));
  const hosts = join(scratch.dir(), 'hosts');
  writeFileSync(hosts, recs.map((r) => `${r.endpoints[0]!.addresses[0]!.ip}\t${r.name}\n`).join(''));
  const ask = async (port: string, server: number): Promise<Result & { cpu: number }> => {
    const cpu0 = cpuOf(server);
    const out = await run(['ip', 'netns', 'exec', qc, 'node', join(root, 'scripts', 'bench-dns-client.mjs'), GW, port, String(queries), String(CLIENTS), String(maxMs), ...ctrs]);
    const r = JSON.parse(out.stdout) as Result;
    if (!r.answered) throw new Error(`no DNS answer on ${GW}:${port} (${r.lost} lost)`);
    return { ...r, cpu: ((cpuOf(server) - cpu0) / r.seen) * 1000 };
  };
  await listening(ns, '53');
  const rival = start(['ip', 'netns', 'exec', ns, 'dnsmasq', '-k', '--no-resolv', '--no-hosts', '--no-poll', `--addn-hosts=${hosts}`,
    `--listen-address=${GW}`, '--bind-interfaces', `--port=${RIVAL_PORT}`, '--pid-file=', '--user=root', '--log-facility=/dev/null']);
  const mine: Array<Result & { cpu: number }> = [], theirs: Array<Result & { cpu: number }> = [];
  try {
    await listening(ns, RIVAL_PORT);
    for (let r = 0; r < DNS_ROUNDS; r++) {
      const both = [['nslabd', () => ask('53', pid), mine], ['dnsmasq', () => ask(RIVAL_PORT, rival.pid!), theirs]] as const;
      for (const [who, go, into] of r % 2 ? [...both].reverse() : both) {
        say(`DNS: ${queries} queries to ${who}, round ${r + 1}/${DNS_ROUNDS}`);
        into.push(await go());
      }
    }
  } finally {
    // ip netns exec execs dnsmasq (-k: in the foreground): this PID is dnsmasq's own.
    if (rival.exitCode === null) {
      const gone = new Promise((r) => rival.once('exit', r));
      process.kill(rival.pid!, 'SIGTERM');
      await Promise.race([gone, sleep(5000)]);
    }
  }
  await client.removeContainers([...ctrs, qc]);
  await client.removeNetworks(['benchdns']);
  const m = (rs: ReadonlyArray<Result & { cpu: number }>, k: 'qps' | 'p99' | 'cpu') => median(rs.map((r) => r[k]));
  return [
    { name: `DNS queries/s, ${CLIENTS} clients`, unit: 'q/s', nslab: m(mine, 'qps'), baseline: m(theirs, 'qps'), bound: { on: 'ratio-min', min: 0.5 } },
    { name: 'DNS p99 latency', unit: 'ms', nslab: m(mine, 'p99'), baseline: m(theirs, 'p99'), bound: { on: 'value', max: 2 } },
    { name: 'DNS CPU per 1000 answers', unit: 'ms', nslab: m(mine, 'cpu'), baseline: m(theirs, 'cpu') },
  ];
}
