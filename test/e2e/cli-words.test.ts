// The CLI as people type it, on a real (sandboxed) kernel: `up -` from stdin, `version` with
// nslabd's version, and a user who is not root: refused in one line in-process, served by nslabd.
import t from 'tap';
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import { CLI, ROOT, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('hc');
t.teardown(() => sb.down());
const version = (JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string }).version;
const NOBODY = 65534;

/** nslab in the fake host, as root (`sudo nslab`) or as an unprivileged user, with `input` on stdin. */
async function nslab(args: string[], o: { input?: string; nobody?: boolean } = {}) {
  const cli = ['node', CLI, '--state-dir', sb.stateDir, '--socket', sb.socket, ...args];
  // env -i: not tap's environment, whose hooks would write their records as a user who may not.
  const user = o.nobody ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] : [];
  const r = await execa('nsenter', [`--net=/run/netns/${sb.host}`, 'env', '-i', 'LC_ALL=C', `PATH=${process.env.PATH}`, ...user, ...cli],
    { reject: false, input: o.input ?? '', stripFinalNewline: false });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}
const links = async () => (await sb.ipJson(['link', 'show'])).map((l) => l.ifname as string);
const lab = `networks:\n  hcnet:\n    subnet: 10.238.0.0/24\ncontainers:\n  ${sb.name('a')}:\n    network: hcnet\n`;

t.test('up - and down - read the lab file from stdin', async (t) => {
  const up = await nslab(['up', '-'], { input: lab });
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /^network hcnet: bridge nslab-hcnet, subnet 10\.238\.0\.0\/24/m);
  t.ok((await links()).includes('nslab-hcnet'), 'the bridge exists');
  const bad = await nslab(['up', '-'], { input: 'networks:\n  hcbad:\n    subnet: 10.238.0.0/24\n    subnett: x\n' });
  t.equal(bad.code, 2);
  t.equal(bad.stderr, '<stdin>:4: networks.hcbad.subnett: unknown key (known: driver, subnet, gateway, ip-range, aux-address, bridge, mtu, internal, masquerade, icc, opt)\nnslab: <stdin>: 1 problem; nothing was changed\n', 'names <stdin> and the line');
  const down = await nslab(['down', '-'], { input: lab });
  t.equal(down.code, 0, down.stderr);
  t.notOk((await links()).includes('nslab-hcnet'), 'the bridge is gone');
});

t.test('not root, no nslabd: one line, exit 2, nothing changed', async (t) => {
  chmodSync(sb.stateDir, 0o711); // the socket's directory may be crossed, not read
  const r = await nslab(['network', 'create', 'hcx', '--subnet', '10.238.1.0/24'], { nobody: true });
  t.equal(r.code, 2);
  t.match(r.stderr, /^nslab: permission: changing the host's network needs root: run it with sudo, or join the nslab group [^\n]*\n$/);
  t.notOk((await links()).includes('nslab-hcx'), 'no bridge');
  const ls = await nslab(['network', 'ls'], { nobody: true });
  t.equal(ls.code, 2);
  t.match(ls.stderr, /^nslab: permission: reading \S+ needs root: run it with sudo[^\n]*\n$/, 'a state directory closed to them: the same line');
});

t.test('not root, in the socket\'s group, with nslabd: served; version shows both', async (t) => {
  await sb.startDaemon();
  t.teardown(() => sb.stopDaemon());
  chownSync(sb.socket, 0, NOBODY); // as `usermod -aG nslab` would let them in
  const v = await nslab(['version', '--json'], { nobody: true });
  t.equal(v.code, 0, v.stderr);
  const got = JSON.parse(v.stdout) as { client: { version: string }; server: { version: string; pid: number } };
  t.equal(got.client.version, version, 'the client version');
  t.equal(got.server.version, version, "nslabd's version, from its ping");
  t.equal(got.server.pid, sb.daemon!.pid, "nslabd's pid");
  t.match((await nslab(['version'])).stdout, new RegExp(`^Client: nslab ${version} .*\\nServer: nslabd ${version} \\(pid \\d+`));
  const c = await nslab(['network', 'create', 'hcy', '--subnet', '10.238.2.0/24', '--json'], { nobody: true });
  t.equal(c.code, 0, c.stderr);
  t.ok((await links()).includes('nslab-hcy'), 'nslabd made the bridge for them');
  t.equal((await nslab(['network', 'rm', 'hcy'], { nobody: true })).code, 0);
});

t.test('version without nslabd: the client only', async (t) => {
  const v = await nslab(['version', '--json'], { nobody: true });
  t.equal(v.code, 0, v.stderr);
  t.same(JSON.parse(v.stdout), { client: { version, node: process.version }, server: null });
});
