// nslab doctor inside a sandbox: each finding appears when its condition is made in the fake
// host (and only then), the exit code follows what blocks nslab, and the doctor changes nothing.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { execa } from 'execa';
import { CLI, sandbox } from '../helpers/sandbox.js';

interface Finding {
  id: string;
  level: 'ok' | 'note' | 'warn' | 'fail';
  what: string;
  fix?: string;
}

const sb = await sandbox('dz');
t.teardown(() => sb.down());
const uplink = `${sb.tag}up`;

/** Run `nslab doctor --json` in the fake host (optionally with another PATH or resolv.conf). */
async function doctor(o: { path?: string; resolv?: string } = {}): Promise<{ code: number; findings: Finding[] }> {
  const node = process.execPath;
  const args = [`--net=/run/netns/${sb.host}`, node, CLI, '--socket', sb.socket, '--state-dir', sb.stateDir, 'doctor', '--json'];
  const r = o.resolv
    // A private mount namespace: the bind mount over /etc/resolv.conf is seen by the doctor only.
    ? await execa('unshare', ['--mount', 'sh', '-c', `mount --bind "$0" /etc/resolv.conf && exec nsenter "$@"`, o.resolv, ...args], { reject: false, env: { LC_ALL: 'C' } })
    : await execa('/usr/bin/nsenter', args, { reject: false, env: { LC_ALL: 'C', ...(o.path ? { PATH: o.path } : {}) } });
  const out = JSON.parse(String(r.stdout)) as { ok: boolean; findings: Finding[] };
  return { code: r.exitCode ?? 1, findings: out.findings };
}
const find = (fs: Finding[], id: string) => fs.find((f) => f.id === id);
const host = (...cmd: string[]) => sb.exec(sb.host, cmd);

t.test('a fresh fake host: nothing blocks nslab; ip_forward 0 and nslabd down are notes with their fix', async (t) => {
  await host('sysctl', '-qw', 'net.ipv4.ip_forward=0');
  const before = await sb.snapshot();
  const { code, findings } = await doctor();
  t.equal(code, 0);
  t.equal(find(findings, 'tool.ip')?.level, 'ok');
  t.match(find(findings, 'tool.iptables')?.what, /nf_tables|legacy/);
  t.equal(find(findings, 'kernel.bridge')?.level, 'ok');
  t.equal(find(findings, 'kernel.veth')?.level, 'ok');
  t.equal(find(findings, 'kernel.nat')?.level, 'ok');
  t.equal(find(findings, 'sysctl.ip_forward')?.level, 'note');
  t.match(find(findings, 'sysctl.ip_forward')?.fix, 'sysctl -w net.ipv4.ip_forward=1');
  t.equal(find(findings, 'firewall.forward-policy')?.level, 'ok');
  t.equal(find(findings, 'firewall.ufw'), undefined);
  t.equal(find(findings, 'routes.pool')?.level, 'ok');
  t.equal(find(findings, 'nslabd')?.level, 'note');
  t.same(await sb.snapshot(), before, 'the doctor changed nothing in the fake host');
});

t.test('kernel link kinds: the doctor says what a scratch namespace says', async (t) => {
  const { findings } = await doctor();
  for (const [kind, extra] of [['macvlan', ['link', 'nsd-p', 'type', 'macvlan']], ['ipvlan', ['link', 'nsd-p', 'type', 'ipvlan']], ['vxlan', ['type', 'vxlan', 'id', '1', 'dstport', '4789']]] as const) {
    const tried = await execa('unshare', ['--net', 'sh', '-c', `ip link add nsd-p type veth peer name nsd-q && ip link add nsd-x ${extra.join(' ')}`], { reject: false });
    t.equal(find(findings, `kernel.${kind}`)?.level, tried.exitCode === 0 ? 'ok' : 'note', kind);
  }
});

t.test('each condition made in the fake host shows as its finding', async (t) => {
  await host('sysctl', '-qw', 'net.ipv4.ip_forward=1');
  await host('iptables', '-P', 'FORWARD', 'DROP');
  await host('iptables', '-N', 'DOCKER');
  await host('iptables', '-N', 'ufw-before-forward');
  await host('nft', 'add', 'table', 'inet', 'firewalld');
  await host('sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1');
  await host('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0');
  await host('iptables-legacy', '-A', 'FORWARD', '-s', '203.0.113.9/32', '-j', 'ACCEPT');
  await host('ip', 'link', 'set', uplink, 'mtu', '1400');
  await host('ip', 'route', 'add', '172.17.0.0/16', 'dev', uplink);
  t.teardown(async () => {
    await host('iptables', '-P', 'FORWARD', 'ACCEPT');
    await host('iptables', '-X', 'DOCKER');
    await host('iptables', '-X', 'ufw-before-forward');
    await host('nft', 'delete', 'table', 'inet', 'firewalld');
    await host('iptables-legacy', '-D', 'FORWARD', '-s', '203.0.113.9/32', '-j', 'ACCEPT');
    await host('sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.bridge.bridge-nf-call-iptables=1', 'net.ipv4.ip_forward=0');
  });
  const { code, findings } = await doctor();
  t.equal(code, 0, 'none of these blocks nslab');
  t.equal(find(findings, 'sysctl.ip_forward')?.level, 'ok');
  t.equal(find(findings, 'firewall.forward-policy')?.level, 'note');
  t.match(find(findings, 'firewall.forward-policy')?.what, /FORWARD policy is DROP/);
  t.equal(find(findings, 'firewall.docker')?.level, 'note');
  t.equal(find(findings, 'firewall.ufw')?.level, 'warn');
  t.match(find(findings, 'firewall.ufw')?.fix, /ufw default allow routed/);
  t.equal(find(findings, 'firewall.firewalld')?.level, 'warn');
  t.equal(find(findings, 'sysctl.rp_filter')?.level, 'note');
  t.equal(find(findings, 'kernel.br_netfilter')?.level, 'warn');
  t.equal(find(findings, 'tool.iptables-mix')?.level, 'warn');
  t.equal(find(findings, 'routes.mtu')?.level, 'warn');
  t.match(find(findings, 'routes.mtu')?.fix, '--mtu 1400');
  t.equal(find(findings, 'routes.pool')?.level, 'note');
  t.match(find(findings, 'routes.pool')?.what, /172\.17\.0\.0\/16 by 172\.17\.0\.0\/16 dev .*get 172\.18\.0\.0\/16 next/);
});

t.test('every subnet of the default pool routed elsewhere blocks nslab: exit 1', async (t) => {
  await host('ip', 'route', 'add', '172.16.0.0/12', 'dev', uplink);
  await host('ip', 'route', 'add', '192.168.0.0/16', 'dev', uplink);
  t.teardown(async () => {
    await host('ip', 'route', 'del', '172.16.0.0/12', 'dev', uplink);
    await host('ip', 'route', 'del', '192.168.0.0/16', 'dev', uplink);
  });
  const { code, findings } = await doctor();
  t.equal(code, 1);
  t.equal(find(findings, 'routes.pool')?.level, 'fail');
  t.match(find(findings, 'routes.pool')?.fix, /--subnet/);
});

t.test('a missing tool is named with the package that brings it', async (t) => {
  const bin = join(sb.stateDir, 'bin');
  mkdirSync(bin);
  // Every tool the doctor runs, but iptables and conntrack.
  for (const tool of ['ip', 'unshare', 'nft', 'iptables-save', 'iptables-legacy-save']) {
    const where = (await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).stdout.trim();
    if (where) symlinkSync(where, join(bin, tool));
  }
  const { code, findings } = await doctor({ path: bin });
  t.equal(code, 1, 'no iptables blocks nslab');
  t.equal(find(findings, 'tool.iptables')?.level, 'fail');
  t.equal(find(findings, 'tool.iptables')?.fix, 'sudo apt install iptables');
  t.equal(find(findings, 'tool.conntrack')?.level, 'note');
});

t.test('a loopback stub resolver: containers get the upstreams systemd-resolved lists, or a warning', async (t) => {
  const stub = join(sb.stateDir, 'resolv-stub.conf');
  writeFileSync(stub, 'nameserver 127.0.0.53\noptions edns0\n');
  const { findings } = await doctor({ resolv: stub });
  const f = find(findings, 'dns.upstream')!;
  // The machine may or may not run systemd-resolved: with its list, a note naming it; without, a warning with the fix.
  if (f.level === 'note') t.match(f.what, /loopback stub resolver \(127\.0\.0\.53\).*\/run\/systemd\/resolve\/resolv\.conf/);
  else {
    t.equal(f.level, 'warn');
    t.match(f.fix, /--dns IP/);
  }
});

t.test('nslabd running and answering is found', async (t) => {
  await sb.startDaemon();
  t.teardown(() => sb.stopDaemon());
  const { findings } = await doctor();
  t.equal(find(findings, 'nslabd')?.level, 'ok');
});
