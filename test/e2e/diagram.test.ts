// nslab diagram in a sandbox: a 2-network, 6-container lab made by nslab (one port published)
// beside a bridge, namespace and veth made by hand; text, JSON, SVG and PNG from the live kernel;
// nslabd's /v1/diagram and its --http page in a real headless Chromium, redrawn on a change.
import t from 'tap';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { Browser, dumpDom } from '../helpers/chromium.js';
import { CLI, sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('dg');
const dir = mkdtempSync(join(tmpdir(), 'nslab-dg-'));
const [n1, n2] = [sb.name('net1'), sb.name('net2')];
const cs = [1, 2, 3, 4, 5, 6].map((i) => sb.name(`c${i}`));
const hand = sb.name('hand');
const mv = sb.name('mv');
const PORT = 18181;
t.teardown(async () => {
  await sb.stopDaemon();
  for (const ns of [hand, mv]) await execa('ip', ['netns', 'del', ns], { reject: false });
  await sb.down();
  rmSync(dir, { recursive: true, force: true });
});

const lab = join(dir, 'lab.yaml');
writeFileSync(lab, `networks:
  ${n1}: {subnet: 10.246.1.0/24}
  ${n2}: {subnet: 10.246.2.0/24}
containers:
${cs.map((c, i) => `  ${c}:\n    network: ${i < 3 ? n1 : n2}\n    ip: 10.246.${i < 3 ? 1 : 2}.${(i % 3) + 2}\n${i === 0 ? '    ports: ["8080:80/tcp"]\n' : ''}`).join('')}`);

/** A command typed in the fake host's root shell. */
async function typed(...argv: string[]): Promise<void> {
  const r = await execa('nsenter', [`--net=/run/netns/${sb.host}`, ...argv], { reject: false, env: { LC_ALL: 'C' } });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

t.test('set up: the lab by nslab; by hand a bridge + namespace + veth + MASQUERADE, a macvlan child and a VXLAN device', async (t) => {
  const up = await sb.cli(['up', lab]);
  t.equal(up.code, 0, up.stderr);
  await typed('ip', 'link', 'add', 'dgbr0', 'type', 'bridge');
  await typed('ip', 'addr', 'add', '10.247.0.1/24', 'dev', 'dgbr0');
  await typed('ip', 'link', 'set', 'dgbr0', 'up');
  await typed('ip', 'netns', 'add', hand);
  await typed('ip', 'link', 'add', 'dgvh', 'master', 'dgbr0', 'up', 'type', 'veth', 'peer', 'name', 'dgvp', 'netns', hand);
  await typed('ip', '-n', hand, 'addr', 'add', '10.247.0.2/24', 'dev', 'dgvp');
  await typed('ip', '-n', hand, 'link', 'set', 'dgvp', 'up');
  await typed('ip', '-n', hand, 'route', 'add', 'default', 'via', '10.247.0.1');
  await typed('iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.247.0.0/24', '-o', 'dgup', '-j', 'MASQUERADE');
  // A macvlan child born in a namespace of its own, its parent the uplink (KERNEL-NOTES: a veth
  // parent works), and a VXLAN device with a head-end replication peer: no packet is sent.
  await typed('ip', 'netns', 'add', mv);
  await typed('ip', 'link', 'add', 'dgmv0', 'link', 'dgup', 'netns', mv, 'type', 'macvlan', 'mode', 'bridge');
  await typed('ip', '-n', mv, 'addr', 'add', '198.51.100.50/24', 'dev', 'dgmv0');
  await typed('ip', 'link', 'add', 'dgvx', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'dev', 'dgup', 'local', '198.51.100.1');
  await typed('bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'dgvx', 'dst', '198.51.100.2');
});

t.test('text: every container with both veth ends, the gateways, MASQUERADE, the port; the hand-made parts marked', async (t) => {
  const r = await sb.cli(['diagram']);
  t.equal(r.code, 0, r.stderr);
  const text = r.stdout;
  t.same(text.split('\n').filter((l) => [...l].length > 100), [], 'fits 100 columns');
  cs.forEach((c, i) => {
    const net = i < 3 ? 1 : 2;
    t.match(text, new RegExp(`${c} +nv-${c}-0 ↔ eth0 +10\\.246\\.${net}\\.${(i % 3) + 2}/24 +via 10\\.246\\.${net}\\.1 *│\\n`), `${c}: host end ↔ eth0, address, gateway`);
  });
  for (const [n, x] of [[n1, 1], [n2, 2]] as const) {
    t.match(text, new RegExp(`bridge nslab-${n} +network ${n}`));
    t.match(text, `gateway 10.246.${x}.1/24`);
    t.match(text, `NAT: MASQUERADE 10.246.${x}.0/24 (! -o nslab-${n})`);
  }
  t.match(text, new RegExp(`${cs[0]} [^\\n]*\\n│ │ +publishes 8080→80/tcp`), 'the published port under its container');
  t.match(text, /bridge dgbr0 +\(not nslab's\)/);
  t.match(text, new RegExp(`${hand} +dgvh ↔ dgvp +10\\.247\\.0\\.2/24 +via 10\\.247\\.0\\.1 +\\(not nslab's\\)`));
  t.match(text, /NAT: MASQUERADE 10\.247\.0\.0\/24 -o dgup +\(not nslab's\)/);
  t.match(text, /dgup 198\.51\.100\.1\/24 ↔ nslt-dg-w: dgw 198\.51\.100\.2\/24 +\(not nslab's\)/, 'the uplink to the fake world, both ends');
  t.match(text, /default route via 198\.51\.100\.2 dev dgup/);
  t.match(text, new RegExp(`macvlan parent dgup[^\\n]*\\n│ └─ ${mv} +dgmv0 \\(macvlan bridge\\) +198\\.51\\.100\\.50/24 +\\(not nslab's\\)`), 'the macvlan child and its parent across namespaces');
  t.match(text, /vxlan dgvx +\(not nslab's\)[^\n]*\n│ vxlan 42 dev dgup port 4789 → 198\.51\.100\.2/, 'the VXLAN device and its peer from the fdb');
});

t.test('--json: the model, with owners', async (t) => {
  const r = await sb.cli(['diagram', '--json']);
  t.equal(r.code, 0, r.stderr);
  const m = JSON.parse(r.stdout);
  t.equal(m.labId, sb.lab());
  const veth = (name: string) => m.veths.find((v: any) => v.a.name === name);
  t.same([veth(`nv-${cs[0]}-0`).b.netns, veth(`nv-${cs[0]}-0`).b.name, veth(`nv-${cs[0]}-0`).owner.thisLab], [cs[0], 'eth0', true]);
  t.same([veth('dgvh').b.netns, veth('dgvh').b.name, veth('dgvh').owner.nslab], [hand, 'dgvp', false]);
  t.same(m.ports.map((p: any) => [p.hostPort, p.toIp, p.toPort, p.container]), [['8080', '10.246.1.2', '80', cs[0]]]);
});

t.test('svg and png files; a png for a terminal and a bad format are refused in one line, exit 2', async (t) => {
  const svgFile = join(dir, 'lab.svg');
  const pngFile = join(dir, 'lab.png');
  t.equal((await sb.cli(['diagram', '--format', 'svg', '-o', svgFile])).code, 0);
  const svg = readFileSync(svgFile, 'utf8');
  t.match(svg, /^<\?xml[\s\S]*<svg width="\d+pt" height="\d+pt"/);
  for (const c of [...cs, hand, 'dgbr0', 'dgvh', 'dgvp']) t.match(svg, c);
  t.equal((await sb.cli(['diagram', '--format', 'png', '-o', pngFile])).code, 0);
  const png = readFileSync(pngFile);
  t.same([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
  t.ok(png.readUInt32BE(16) > 800 && png.readUInt32BE(20) > 300, `size ${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`);
  const bad = await sb.cli(['diagram', '--format', 'jpeg']);
  t.same([bad.code, bad.stderr], [2, 'nslab: format: "jpeg" is not a format (one of text, svg, dot, png)']);
  // A terminal on stdout: `script` gives the command a pseudo-terminal.
  const line = ['nsenter', `--net=/run/netns/${sb.host}`, process.execPath, CLI, '--state-dir', sb.stateDir, '--socket', sb.socket, 'diagram', '--format', 'png'].join(' ');
  const tty = await execa('script', ['-qec', line, '/dev/null'], { reject: false, env: { LC_ALL: 'C' } });
  t.equal(tty.exitCode, 2);
  t.match(String(tty.stdout).trim(), /^nslab: output: a PNG is not for a terminal: give -o FILE/);
});

/** GET (or another method) on nslabd's --http listener, from inside the fake host. */
async function http(path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const code = `fetch('http://127.0.0.1:${PORT}${path}',{method:'${method}'}).then(async r=>console.log(JSON.stringify({status:r.status,type:r.headers.get('content-type'),body:await r.text()})))`;
  const r = await execa('nsenter', [`--net=/run/netns/${sb.host}`, process.execPath, '-e', code], { env: { LC_ALL: 'C' } });
  return JSON.parse(String(r.stdout));
}

t.test('nslabd: /v1/diagram on its socket, and --http serving only reads', async (t) => {
  await sb.startDaemon({}, ['--http', `127.0.0.1:${PORT}`]);
  const viaSocket = await new Promise<{ status?: number; body: string }>((res, rej) => {
    request({ socketPath: sb.socket, path: '/v1/diagram?format=text' }, (r) => {
      let body = '';
      r.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => res({ status: r.statusCode, body }));
    }).on('error', rej).end();
  });
  t.equal(viaSocket.status, 200);
  t.match(viaSocket.body, `nv-${cs[5]}-0 ↔ eth0`);
  const svg = await http('/v1/diagram');
  t.same([svg.status, svg.type], [200, 'image/svg+xml; charset=utf-8']);
  t.match(svg.body, cs[0]);
  t.equal((await http('/v1/diagram?format=dot')).body.startsWith('digraph nslab {'), true);
  t.equal((await http('/v1/diagram?format=bogus')).status, 400);
  for (const [path, method] of [['/v1/createContainers', 'POST'], ['/v1/reset', 'POST'], ['/v1/diagram', 'POST'], ['/', 'DELETE'], ['/v1/state', 'GET']]) {
    const r = await http(path!, method);
    t.ok(r.status === 404 || r.status === 405, `${method} ${path}: ${r.status}`);
  }
  t.equal((await sb.cli(['container', 'ls', '-q'])).stdout.split('\n').filter(Boolean).length, 6, 'nothing was created or reset');
});

t.test('a user who is not root: refused in one line without nslabd, drawn by nslabd when it lets them in', async (t) => {
  const NOBODY = 65534;
  // env -i: not tap's environment, whose hooks would write their records as a user who may not.
  const asNobody = (args: string[]) => execa('nsenter', [`--net=/run/netns/${sb.host}`, 'env', '-i', 'LC_ALL=C', `PATH=${process.env.PATH}`,
    'setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath, CLI, '--state-dir', sb.stateDir, '--socket', sb.socket, ...args], { reject: false });
  const refused = await asNobody(['diagram']);
  t.same([refused.exitCode, String(refused.stderr)], [2, 'nslab: permission: diagram needs root to look inside every namespace and read the nat table: run it with sudo, or join the nslab group and let nslabd draw it']);
  chmodSync(sb.stateDir, 0o711); // the socket's directory may be crossed, not read
  chownSync(sb.socket, 0, NOBODY); // as `usermod -aG nslab` would let them in
  const drawn = await asNobody(['diagram']);
  t.equal(drawn.exitCode, 0, String(drawn.stderr));
  t.match(String(drawn.stdout), `${cs[2]}  nv-${cs[2]}-0 ↔ eth0`);
  const bad = await asNobody(['diagram', '--format', 'jpeg']);
  t.equal(bad.exitCode, 2, 'a bad format is refused before nslabd is asked');
});

t.test('a real headless Chromium: the page shows the SVG, and redraws it when a container is created', async (t) => {
  const dom = await dumpDom(sb.host, `http://127.0.0.1:${PORT}/`);
  t.match(dom, /<div id="diagram" data-version="[1-9]\d*"><!--\?xml[\s\S]*<svg /, '--dump-dom: the SVG is in the page');
  t.match(dom, cs[5]);
  const browser = await Browser.open(sb.host, `http://127.0.0.1:${PORT}/`);
  t.teardown(() => browser.close());
  const svgText = "document.querySelector('#diagram svg')?.textContent ?? ''";
  const first = await browser.until<string>(svgText, (v) => !!v && v.includes(cs[5]!));
  t.match(first, cs[5], 'the page drew the lab');
  t.notMatch(first, sb.name('c7'));
  await browser.eval('window.__sameDocument = 42');
  const created = await sb.cli(['container', 'create', sb.name('c7'), '--network', n2]);
  t.equal(created.code, 0, created.stderr);
  const after = await browser.until<string>(svgText, (v) => !!v && v.includes(sb.name('c7')));
  t.match(after, sb.name('c7'), 'the new container is drawn');
  t.equal(await browser.eval('window.__sameDocument'), 42, 'without a reload: the same document');
  // Redrawn on the events of that create (container.created, then nslabd's dns.registered).
  t.match(await browser.eval<string>("document.getElementById('status').textContent"), /^live · drawn .+ after (container\.created|dns\.registered) /);
});
