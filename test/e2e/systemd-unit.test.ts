// nslabd.service as systemd reads it (verify, security score, offline), and nslabd run under its
// capability set and no-new-privileges inside a sandbox: hardened, it still builds and repairs a lab.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { answers } from '../../src/client/probe.js';
import { DAEMON, ROOT, sandbox } from '../helpers/sandbox.js';

const unit = readFileSync(join(ROOT, 'scripts', 'nslabd.service'), 'utf8');
const setting = (key: string): string[] => [...unit.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
// The exposure score `systemd-analyze security` gave this unit when it was written: 5.4 (9.6 unhardened).
const EXPOSURE_BOUND = 5.6;

/** The unit with ExecStart pointing at this checkout (setup.sh makes /usr/local/bin/nslabd). */
function localCopy(text: string, dir: string): string {
  const file = join(dir, 'nslabd.service');
  writeFileSync(file, text.replace('/usr/local/bin/nslabd', `${process.execPath} ${DAEMON}`));
  return file;
}

t.test('ordered after the network and firewalld, reloaded with firewalld', async (t) => {
  t.same(setting('After'), ['network-online.target firewalld.service']);
  t.same(setting('Wants'), ['network-online.target']);
  t.same(setting('ReloadPropagatedFrom'), ['firewalld.service'], "firewalld's reload reaches nslabd");
  t.same(setting('ExecReload'), ['/bin/kill -HUP $MAINPID'], 'and reload is SIGHUP: restore what the records hold');
});

t.test('Documentation= names files that exist once setup.sh ran', async (t) => {
  const docs = setting('Documentation').join(' ').split(/\s+/).filter(Boolean);
  const files = docs.filter((d) => d.startsWith('file://'));
  t.ok(files.length >= 1, docs.join(' '));
  const setup = readFileSync(join(ROOT, 'scripts', 'setup.sh'), 'utf8');
  for (const f of files) {
    const path = f.slice('file://'.length);
    t.match(path, /^\/usr\/local\/share\/doc\/nslab\//, `${path}: where setup.sh installs the docs`);
    const source = path.replace('/usr/local/share/doc/nslab/', '');
    t.ok(existsSync(join(ROOT, source)), `${source} is in the repo`);
    t.ok(setup.includes(`install -D -m 0644 ${source} ${path}\n`), `setup.sh installs ${source} as ${path}`);
  }
  for (const m of docs.filter((d) => d.startsWith('man:'))) {
    const page = /^man:([^(]+)\((\d)\)$/.exec(m);
    t.ok(page, m);
    const r = await execa('man', ['-w', page![2]!, page![1]!], { reject: false });
    t.equal(r.exitCode, 0, `${m}: the page exists (${r.stderr})`);
  }
});

t.test('hardened, without a mount namespace of its own', async (t) => {
  t.same(setting('NoNewPrivileges'), ['yes']);
  t.same(setting('CapabilityBoundingSet'), ['CAP_SYS_ADMIN CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_MODULE CAP_CHOWN']);
  t.same(setting('RestrictAddressFamilies'), ['AF_UNIX AF_NETLINK AF_INET AF_INET6']);
  t.same(setting('RestrictNamespaces'), ['net mnt'], 'it makes network namespaces, and ip netns exec a mount namespace');
  // Each of these would give nslabd a mount namespace: /run/netns and /etc/netns seen by it alone.
  for (const key of ['ProtectSystem', 'PrivateTmp', 'ProtectHome', 'PrivateDevices', 'ProtectKernelTunables', 'ProtectKernelModules',
    'ProtectKernelLogs', 'ProtectControlGroups', 'ProtectProc', 'ProcSubset', 'PrivateMounts', 'ProtectHostname', 'ReadOnlyPaths',
    'InaccessiblePaths', 'TemporaryFileSystem', 'BindPaths', 'MountFlags', 'MemoryDenyWriteExecute', 'UMask']) {
    t.same(setting(key), [], `no ${key}=`);
  }
});

t.test('systemd-analyze verify and security (offline, on the file)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = localCopy(unit, dir);
  const v = await execa('systemd-analyze', ['verify', file], { reject: false });
  t.equal(v.exitCode, 0, v.stderr);
  t.equal(v.stderr.trim(), '', 'no warnings');
  const s = await execa('systemd-analyze', ['security', '--offline=yes', file], { reject: false, env: { SYSTEMD_COLORS: '0' } });
  const score = /Overall exposure level for nslabd\.service: (\d+\.\d)/.exec(s.stdout);
  t.ok(score, 'the overall exposure is printed');
  t.ok(Number(score![1]) <= EXPOSURE_BOUND, `exposure ${score![1]} ≤ ${EXPOSURE_BOUND}`);
  const unhardened = unit.replace(/^(NoNewPrivileges|CapabilityBoundingSet|Restrict\w+|LockPersonality|SystemCall\w+)=.*\n/gm, '');
  localCopy(unhardened, dir);
  const before = await execa('systemd-analyze', ['security', '--offline=yes', file], { reject: false, env: { SYSTEMD_COLORS: '0' } });
  const was = /Overall exposure level for nslabd\.service: (\d+\.\d)/.exec(before.stdout);
  t.ok(was && Number(was[1]) > 9, `without the hardening lines: ${was?.[1]} (the bound can fail)`);
});

t.test('nslabd under the unit\'s capability set and no-new-privileges still builds and repairs a lab', async (t) => {
  const sb = await sandbox('hsu');
  let daemon: ChildProcess | undefined;
  let log = '';
  t.teardown(async () => {
    if (daemon && daemon.exitCode === null) {
      const gone = new Promise((r) => daemon!.once('exit', r));
      process.kill(daemon.pid!, 'SIGTERM');
      await gone;
    }
    await sb.down();
  });
  const caps = setting('CapabilityBoundingSet')[0]!.split(/\s+/).map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`);
  // nsenter, setpriv and node each exec the next: the PID is nslabd's, with exactly these caps.
  daemon = spawn('nsenter', [`--net=/run/netns/${sb.host}`, 'setpriv', '--no-new-privs', '--inh-caps=-all', `--bounding-set=-all,${caps.join(',')}`,
    process.execPath, DAEMON, '--socket', sb.socket, '--state-dir', sb.stateDir], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  daemon.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 20000;
  while (!(await answers(sb.socket)) && Date.now() < deadline && daemon.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  t.ok(await answers(sb.socket), `nslabd answers: ${log}`);
  const status = readFileSync(`/proc/${daemon.pid}/status`, 'utf8');
  t.match(status, /^NoNewPrivs:\s+1$/m, 'no new privileges');
  t.equal(/^CapEff:\s+(\w+)$/m.exec(status)![1], '0000000000213001', 'effective: sys_admin net_admin net_raw sys_module chown, nothing else');

  const c1 = sb.name('c1'), c2 = sb.name('c2'), c3 = sb.name('c3');
  for (const args of [
    ['network', 'create', 'lab', '--subnet', '10.208.0.0/24', '--no-icc'],
    ['network', 'create', 'lab2', '--subnet', '10.208.1.0/24'],
    ['container', 'create', c1, '--network', 'lab2', '--dns', '192.0.2.53'],
    ['container', 'create', c2, '--network', 'lab2'],
    ['container', 'create', c3, '--network', `container:${c1}`],
    ['container', 'create', sb.name('c4'), '--network', 'lab'],
  ]) {
    const r = await sb.cli(args);
    t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  t.match(log, /nslabd listening/);
  t.equal((await sb.ping(c1, '10.208.1.3')).code, 0, 'c1 reaches c2');
  t.equal((await sb.ping(c3, '10.208.1.3')).code, 0, 'c3 (in c1\'s namespace) reaches c2');
  t.match(readFileSync(`/etc/netns/${c1}/resolv.conf`, 'utf8'), /^nameserver 192\.0\.2\.53$/m, 'resolv.conf written');
  // A firewalld reload is a SIGHUP to nslabd: flushed rules and a deleted veth come back.
  await execa('ip', ['netns', 'exec', sb.host, 'iptables', '-t', 'nat', '-F', 'NSLAB-POSTROUTING']);
  await execa('ip', ['-n', sb.host, 'link', 'del', `nv-${c2}-0`]);
  process.kill(daemon.pid!, 'SIGHUP');
  const until = Date.now() + 20000;
  while (!/restored \d+ difference/.test(log) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.match(log, /restored \d+ difference/, 'the reconcile ran');
  t.equal((await sb.ping(c1, '10.208.1.3')).code, 0, 'c2 reachable again');
  const nat = await execa('ip', ['netns', 'exec', sb.host, 'iptables', '-t', 'nat', '-S', 'NSLAB-POSTROUTING']);
  t.match(nat.stdout, /^-A NSLAB-POSTROUTING -s 10\.208\.1\.0\/24 ! -o nslab-lab2 .* -j MASQUERADE$/m, 'MASQUERADE back');
  t.notMatch(log, /"level":(50|60)/, 'no error in its log');
  for (const c of [c3, c1, c2, sb.name('c4')]) t.equal((await sb.cli(['container', 'rm', c])).code, 0, `rm ${c}`);
});
