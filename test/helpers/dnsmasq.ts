// A fake upstream DNS server for tests: dnsmasq in one of the test's namespaces, answering only
// the names it is given (no resolv.conf, no hosts file, nothing forwarded), ended by PID.
import { spawn, type ChildProcess } from 'node:child_process';

export interface FakeDns {
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Start dnsmasq in namespace `ns` on `ip` port 53, answering `names` (name → address) and
 * REFUSING nothing else (NXDOMAIN for the rest: --no-resolv, nothing upstream). `hostsFile`:
 * serve the names of that file as well (the bench's rival of the embedded server).
 */
export async function startDnsmasq(ns: string, ip: string, names: Record<string, string>, hostsFile?: string): Promise<FakeDns> {
  const args = ['netns', 'exec', ns, 'dnsmasq', '-k', '--no-resolv', '--no-hosts', '--no-poll', `--listen-address=${ip}`, '--bind-interfaces',
    '--port=53', '--pid-file=', '--user=root', '--cache-size=0', '--log-facility=-',
    ...Object.entries(names).map(([n, a]) => `--address=/${n}/${a}`), ...(hostsFile ? [`--addn-hosts=${hostsFile}`] : [])];
  const child: ChildProcess = spawn('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  // dnsmasq -k stays in the foreground; ready once it listens (it says "started").
  const deadline = Date.now() + 10000;
  while (!/started/.test(err)) {
    if (child.exitCode !== null) throw new Error(`dnsmasq in ${ns} exited ${child.exitCode}: ${err}`);
    if (Date.now() > deadline) throw new Error(`dnsmasq in ${ns} did not start: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid!,
    stop: () => new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
      // ip netns exec execs dnsmasq (-k: no fork), so this PID is dnsmasq itself.
      process.kill(child.pid!, 'SIGTERM');
    }),
  };
}
