// The bench's bash floor builds the kernel objects `nslab up` builds, and its down removes them:
// links, addresses, routes, sysctls, iptables rules and /etc/netns files compared side by side.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, ROOT } from '../helpers/sandbox.js';
import { labFile } from '../../src/bench/measure-cli.js';

const P = 'bhy-';
const NH = `${P}nh`, FH = `${P}fh`;
const must = async (file: string, args: string[]) => (await execa(file, args, { env: { LC_ALL: 'C' } })).stdout;

/** One side's objects with the container names (PREFIX n/f + i) and lab ids made alike. */
async function objects(host: string, side: 'n' | 'f', n: number): Promise<string> {
  const j = async (ns: string, args: string[]) => JSON.parse((await must('ip', ['-n', ns, '-j', ...args])) || '[]') as any[];
  const links = async (ns: string) => (await j(ns, ['-d', 'link', 'show'])).map((l) => ({
    ifname: l.ifname, kind: l.linkinfo?.info_kind, master: l.master, mtu: l.mtu, up: l.flags.includes('UP'), alias: l.ifalias,
    // A veth's host end has a random MAC; the bridge's and eth0's are nslab's.
    address: l.linkinfo?.info_kind === 'veth' && l.ifname !== 'eth0' ? undefined : l.address, addrgenmode: l.linkinfo?.info_data ? undefined : l.inet6_addr_gen_mode,
  }));
  const addrs = async (ns: string) => (await j(ns, ['addr', 'show'])).map((a) => [a.ifname, a.addr_info.map((i: any) => `${i.local}/${i.prefixlen} ${i.broadcast ?? ''}`)]);
  const routes = async (ns: string) => (await j(ns, ['route', 'show'])).map(({ flags, ...r }) => r);
  // '' when the device is not there (before up, after down).
  const sysctl = async (ns: string, dev: string) => String((await execa('ip', ['netns', 'exec', ns, 'sysctl', '-n', `net.ipv6.conf.${dev}.disable_ipv6`], { reject: false })).stdout).trim();
  const rules = (await must('ip', ['netns', 'exec', host, 'iptables-save'])).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, ''));
  const out: unknown[] = [await links(host), await addrs(host), await routes(host), await sysctl(host, 'nslab-bench'), rules];
  for (let i = 0; i < n; i++) {
    const c = `${P}${side}${i}`;
    const files = ['resolv.conf', 'hosts'].map((f) => readFileSync(`/etc/netns/${c}/${f}`, 'utf8').replace(/^# nslab: .*$/m, '# HEADER'));
    out.push(await links(c), await addrs(c), await routes(c), await sysctl(c, 'eth0'), files);
  }
  return JSON.stringify(out, null, 1).replaceAll(`${P}${side}`, `${P}C`).replace(/nslab:[0-9a-f]{8}:/g, 'nslab:LAB:');
}

t.test('the floor up builds what nslab up builds, the floor down leaves what nslab down leaves', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `${P}bench-`));
  const n = 3;
  writeFileSync(join(dir, 'lab.yaml'), labFile(P, n));
  const nslab = (verb: string) => must('nsenter', [`--net=/run/netns/${NH}`, 'node', CLI, '--state-dir', join(dir, 'state'), '--socket', join(dir, 'none.sock'), verb, join(dir, 'lab.yaml')]);
  const floor = (verb: string) => must('nsenter', [`--net=/run/netns/${FH}`, 'bash', join(ROOT, 'scripts', 'bench-floor.sh'), verb, String(n), P, dir]);
  t.teardown(async () => {
    for (const ns of [NH, FH, ...[0, 1, 2].flatMap((i) => [`${P}n${i}`, `${P}f${i}`])]) {
      if (existsSync(`/run/netns/${ns}`)) await execa('ip', ['netns', 'del', ns], { reject: false });
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
    }
    rmSync(dir, { recursive: true, force: true });
  });
  for (const ns of [NH, FH]) {
    await must('ip', ['netns', 'add', ns]);
    // Listing each table makes it exist, as on a real host (and so in both iptables-save outputs).
    for (const table of ['filter', 'nat', 'raw']) await must('ip', ['netns', 'exec', ns, 'iptables', '-t', table, '-S']);
  }
  const before = await objects(NH, 'n', 0);
  t.equal(await objects(FH, 'f', 0), before, 'the two hosts start alike');
  await nslab('up');
  await floor('up');
  const built = await objects(NH, 'n', n);
  t.match(built, /nslab-bench/, 'nslab built its bridge');
  t.equal(await objects(FH, 'f', n), built, 'the same objects on both sides');
  await nslab('down');
  await floor('down');
  t.equal(await objects(FH, 'f', 0), await objects(NH, 'n', 0), 'after down, the same again');
  for (const side of ['n', 'f']) for (let i = 0; i < n; i++) {
    t.notOk(existsSync(`/run/netns/${P}${side}${i}`) || existsSync(`/etc/netns/${P}${side}${i}`), `${P}${side}${i} removed`);
  }
});
