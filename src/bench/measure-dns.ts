// The embedded DNS figures: queries per second and p99 latency from 4 concurrent clients in a
// container, against nslabd on the gateway and against dnsmasq serving the same names from a
// hosts file, in one host namespace of the run (dnsmasq is started by the run, ended by PID).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemoteEngine } from '../client/remote.js';
import type { Ctx } from './measure-cli.js';
import { run, sleep, start } from './run.js';
import type { Figure } from './stats.js';

const CLIENTS = 4;
const SUBNET = '10.241.0.0/24';
const GW = '10.241.0.1';
/** dnsmasq's port beside nslabd's 53 on the same gateway address: the same path through the kernel. */
const RIVAL_PORT = '5353';

interface Result {
  qps: number;
  p99: number;
  answered: number;
  lost: number;
}

/** Wait until a UDP socket listens on GW:port in namespace `ns` (ss), or throw after 10 s. */
async function listening(ns: string, port: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
    const { stdout } = await run(['ip', 'netns', 'exec', ns, 'ss', '-Hlnu', 'src', `${GW}:${port}`]);
    if (stdout.trim()) return;
  }
  throw new Error(`nothing listens on ${GW}:${port}`);
}

/**
 * `names` containers on one network through nslabd (its socket `socket`, in host namespace
 * `ns`), then `queries` A queries (at most `maxMs`) of their names from one more container,
 * to nslabd's server and to dnsmasq's. What it makes goes with the network and the namespace.
 */
export async function dns(ctx: Ctx, ns: string, socket: string, names: number, queries: number, maxMs = 20_000): Promise<Figure[]> {
  const { scratch, root, say } = ctx;
  const client = new RemoteEngine(socket, () => {});
  await client.createNetwork({ name: 'benchdns', subnet: SUBNET });
  const ctrs = Array.from({ length: names }, (_, i) => `${scratch.prefix}n${i}`);
  const qc = `${scratch.prefix}q`;
  const recs = await client.up([], [...ctrs, qc].map((name) => ({ name, network: 'benchdns' })));
  const hosts = join(scratch.dir(), 'hosts');
  writeFileSync(hosts, recs.map((r) => `${r.endpoints[0]!.addresses[0]!.ip}\t${r.name}\n`).join(''));
  const ask = async (port: string): Promise<Result> => {
    const out = await run(['ip', 'netns', 'exec', qc, 'node', join(root, 'scripts', 'bench-dns-client.mjs'), GW, port, String(queries), String(CLIENTS), String(maxMs), ...ctrs]);
    const r = JSON.parse(out.stdout) as Result;
    if (!r.answered) throw new Error(`no DNS answer on ${GW}:${port} (${r.lost} lost)`);
    return r;
  };
  say(`DNS: ${queries} queries to nslabd`);
  await listening(ns, '53');
  const mine = await ask('53');
  say(`DNS: ${queries} queries to dnsmasq`);
  const rival = start(['ip', 'netns', 'exec', ns, 'dnsmasq', '-k', '--no-resolv', '--no-hosts', '--no-poll', `--addn-hosts=${hosts}`,
    `--listen-address=${GW}`, '--bind-interfaces', `--port=${RIVAL_PORT}`, '--pid-file=', '--user=root', '--log-facility=/dev/null']);
  let theirs: Result;
  try {
    await listening(ns, RIVAL_PORT);
    theirs = await ask(RIVAL_PORT);
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
  return [
    { name: `DNS queries/s, ${CLIENTS} clients`, unit: 'q/s', nslab: mine.qps, baseline: theirs.qps, bound: { on: 'ratio-min', min: 0.5 } },
    { name: 'DNS p99 latency', unit: 'ms', nslab: mine.p99, baseline: theirs.p99, bound: { on: 'value', max: 2 } },
  ];
}
