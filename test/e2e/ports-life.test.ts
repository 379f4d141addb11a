// Published ports over their life: conflicts refused with the host unchanged, exact removal, UDP
// re-publish, following the first endpoint, check/repair, gc, rebuild-state, dry-run and nslabd.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_IP, WORLD_IP, sandbox } from '../helpers/sandbox.js';
import { Servers, tcp, udp } from '../helpers/ports.js';

const sb = await sandbox('ppl');
const servers = new Servers();
t.teardown(async () => {
  await servers.stop();
  await sb.down();
});
const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => sb.name(n));
const ok = async (t: Tap.Test, args: string[]) => {
  const r = await sb.cli(args);
  t.equal(r.code, 0, `${args.join(' ')} ${r.stderr}`);
  return r;
};

t.before(async () => {
  const r = await sb.cli(['network', 'create', 'lab', '--subnet', '10.231.0.0/24']);
  if (r.code) throw new Error(r.stderr);
  const r2 = await sb.cli(['network', 'create', 'two', '--subnet', '10.231.1.0/24']);
  if (r2.code) throw new Error(r2.stderr);
  const r3 = await sb.cli(['container', 'create', a, '--network', 'lab', '-p', '8080:80', '-p', '127.0.0.1:8090:80', '-p', '7000-7009:7000-7009/udp']);
  if (r3.code) throw new Error(r3.stderr);
});

t.test('conflicts and bad input: exit 2 naming the field, nothing changed on the host', async (t) => {
  const before = await sb.snapshot();
  const refused: Array<[string[], RegExp]> = [
    [['-p', '8080:81'], /publish: host port 0\.0\.0\.0:8080\/tcp of ppl\w+ is already published by ppla/],
    [['-p', `${HOST_IP}:8080:80`], /already published by ppla \(0\.0\.0\.0:8080\/tcp\)/],
    [['-p', '8090:80'], /already published by ppla \(127\.0\.0\.1:8090\/tcp\)/],
    [['-p', '7005-7012:80-87/udp'], /7005\/udp .*already published/],
    [['-p', '6000-6002:80-82', '-p', '6002:90'], /6002\/tcp of ppl\w+ is given twice/],
    [['-p', '6000-6002:80-81'], /publish: .*not the same length/],
    [['-p', '0:80'], /publish: .*outside 1-65535/],
    [['-p', '70000:80'], /publish: .*outside 1-65535/],
    [['-p', '300.1.1.1:80:80'], /publish: "300\.1\.1\.1" is not a valid IPv4 address/],
    [['-p', '80:80/sctp'], /publish: .*not tcp or udp/],
    [['-p', '80'], /publish: .*random host port/],
    [['-p', '90-80:80-90'], /runs backwards/],
  ];
  for (const [args, re] of refused) {
    const r = await sb.cli(['container', 'create', b, '--network', 'lab', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, re, args.join(' '));
  }
  const host = await sb.cli(['container', 'create', b, '--network', 'host', '-p', '80:80']);
  t.equal(host.code, 2, 'host mode: nothing to forward to');
  t.match(host.stderr, /publish: cannot be set with network mode host/);
  t.same(await sb.snapshot(), before, 'links, addresses, routes, iptables-save, namespaces and files unchanged');
  t.notOk((await sb.cli(['container', 'inspect', b])).code === 0, 'no record');
});

t.test('state.json holds a published range as one entry with its count; inspect and the kernel have every port', async (t) => {
  const rec = JSON.parse(readFileSync(join(sb.stateDir, 'state.json'), 'utf8')).containers[a];
  t.same(rec.ports, [
    { protocol: 'tcp', hostPort: 8080, containerPort: 80 },
    { protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8090, containerPort: 80 },
    { protocol: 'udp', hostPort: 7000, containerPort: 7000, count: 10 },
  ]);
  const view = JSON.parse((await ok(t, ['container', 'inspect', a])).stdout)[0];
  t.same(Object.keys(view.NetworkSettings.Ports).filter((k) => k.endsWith('/udp')).length, 10, 'inspect: 7000/udp to 7009/udp');
  t.equal((await sb.iptables()).match(/--dport 70\d\d .*-j DNAT/g)?.length, 10, 'ten DNAT rules');
});

t.test('removing a container removes exactly its rules; UDP re-published to a new container works at once', async (t) => {
  const before = await sb.iptables();
  await ok(t, ['container', 'create', b, '--network', 'lab', '--ip', '10.231.0.20', '-p', '5353:53/udp', '-p', `${HOST_IP}:8081:80`]);
  await servers.start(b, 'b', 53, 'udp');
  // The same flow (source port 40000) each time, as a DNS client or a game would keep it.
  t.equal(await udp(sb.world, HOST_IP, 5353, 40000), `b ${WORLD_IP}`, 'udp 5353 → b');
  const mid = await sb.iptables();
  t.match(mid, new RegExp(`-A NSLAB-DNAT -d ${HOST_IP}/32 -p tcp -m tcp --dport 8081 -m comment --comment "nslab:${sb.lab()}:net=lab:ctr=${b}" -j DNAT --to-destination 10\\.231\\.0\\.20:80`));
  await servers.stop();
  await ok(t, ['container', 'rm', b]);
  t.equal(await sb.iptables(), before, "after rm: the ruleset is exactly as before b (a's rules untouched)");
  await ok(t, ['container', 'create', c, '--network', 'lab', '--ip', '10.231.0.30', '-p', '5353:53/udp']);
  await servers.start(c, 'c', 53, 'udp');
  t.equal(await udp(sb.world, HOST_IP, 5353, 40000), `c ${WORLD_IP}`, 'the same flow reaches the new container at once (stale conntrack entry flushed)');
  await servers.stop();
});

t.test('the rules follow the first endpoint across connect and disconnect; the record keeps the ports', async (t) => {
  await ok(t, ['container', 'create', d, '--network', 'none', '-p', '8085:80']);
  t.notMatch(await sb.iptables(), /dport 8085/, 'no endpoint: no rules');
  await ok(t, ['network', 'connect', 'two', d]);
  await servers.start(d, 'd', 80);
  t.equal(await tcp(sb.world, HOST_IP, 8085), `d ${WORLD_IP}`, 'connected: published on its address on two');
  await ok(t, ['network', 'connect', 'lab', d]);
  t.match(await sb.iptables(), /--dport 8085 .* --to-destination 10\.231\.1\.2:80/, 'a second endpoint does not move them');
  await ok(t, ['network', 'disconnect', 'two', d]);
  const rules = await sb.iptables();
  t.match(rules, /--dport 8085 .*net=lab:ctr=ppld.* --to-destination 10\.231\.0\.\d+:80/, 'moved to the endpoint on lab');
  t.notMatch(rules, /10\.231\.1\.2/, 'nothing left for the old address');
  // The default route moved to the endpoint on lab with them: the world still gets its replies.
  t.equal(await tcp(sb.world, HOST_IP, 8085), `d ${WORLD_IP}`, 'the world reaches it on its new address');
  t.equal(await tcp(c, HOST_IP, 8085), 'd 10.231.0.1', 'and a neighbour on lab, by hairpin');
  t.equal((await sb.cli(['check'])).code, 0, 'check agrees with the route where it is');
  await ok(t, ['network', 'disconnect', 'lab', d]);
  t.notMatch(await sb.iptables(), /dport 8085/, 'no endpoint left: no rules');
  const [v] = JSON.parse((await sb.cli(['container', 'inspect', d])).stdout);
  t.same(v.NetworkSettings.Ports, { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8085' }] }, 'the record keeps them');
  await servers.stop();
  await ok(t, ['container', 'rm', d]);
});

t.test('check reports a deleted DNAT rule and hairpin flag; --repair restores them', async (t) => {
  const clean = await sb.cli(['check']);
  t.equal(clean.code, 0, `clean before: ${clean.stdout}${clean.stderr}`);
  const good = await sb.iptables();
  await sb.exec(sb.host, ['iptables', '-t', 'nat', '-D', 'NSLAB-DNAT', '-p', 'tcp', '-m', 'tcp', '--dport', '8080', '-m', 'comment', '--comment', `nslab:${sb.lab()}:net=lab:ctr=${a}`, '-j', 'DNAT', '--to-destination', '10.231.0.2:80']);
  await sb.exec(sb.host, ['ip', 'link', 'set', 'dev', `nv-${a}-0`, 'type', 'bridge_slave', 'hairpin', 'off']);
  const r = await sb.cli(['check']);
  t.not(r.code, 0, 'drift found');
  t.match(r.stdout + r.stderr, /DNAT: host port 0\.0\.0\.0:8080\/tcp → ppla:80\/tcp/);
  t.match(r.stdout + r.stderr, /hairpin mode is off on nv-ppla-0/);
  await ok(t, ['check', '--repair']);
  // The repaired rule is appended at the end of NSLAB-DNAT: order within the chain does not matter (no two overlap).
  const sorted = (x: string) => x.split('\n').sort().join('\n');
  t.equal(sorted(await sb.iptables()), sorted(good), 'the same rules again (no duplicates)');
  const [port] = await sb.ipJson<Array<{ linkinfo: { info_slave_data: { hairpin: boolean } } }>>(['-d', 'link', 'show', `nv-${a}-0`]);
  t.equal(port!.linkinfo.info_slave_data.hairpin, true, 'hairpin on again');
  t.equal((await sb.cli(['check'])).code, 0, 'clean after');
});

t.test('gc removes port rules of this lab that no record explains; rebuild-state reads the ports back', async (t) => {
  const good = await sb.iptables();
  const ghost = `nslab:${sb.lab()}:net=lab:ctr=${e}`;
  await sb.exec(sb.host, ['iptables', '-t', 'nat', '-A', 'NSLAB-DNAT', '-p', 'tcp', '--dport', '6060', '-m', 'comment', '--comment', ghost, '-j', 'DNAT', '--to-destination', '10.231.0.99:80']);
  const chk = await sb.cli(['check']);
  t.match(chk.stdout + chk.stderr, /dport 6060.*no record explains it/, 'check names it as unrecorded');
  const r = await ok(t, ['gc']);
  t.match(r.stdout + r.stderr, /6060/, 'gc says what it removed');
  t.equal(await sb.iptables(), good, 'exactly that rule removed');
  const state = JSON.parse((await sb.cli(['--json', 'container', 'inspect', a])).stdout);
  await ok(t, ['rebuild-state']);
  const rebuilt = JSON.parse((await sb.cli(['--json', 'container', 'inspect', a])).stdout);
  const norm = (p: Record<string, Array<{ HostPort: string }>>) => Object.entries(p).map(([k, v]) => [k, [...v].sort((x, y) => x.HostPort.localeCompare(y.HostPort))]).sort();
  t.same(norm(rebuilt[0].NetworkSettings.Ports), norm(state[0].NetworkSettings.Ports), 'the same Ports after rebuild-state');
  t.equal((await sb.cli(['check'])).code, 0, 'and check is clean');
});

t.test('upgrade: a hairpin rule of the release before --ctstate DNAT is left by gc and swapped by check --repair', async (t) => {
  const good = await sb.iptables();
  const line = good.split('\n').find((l) => l.includes(`ctr=${a}`) && l.includes('--ctstate DNAT') && l.includes('--dport 80 '))!;
  t.ok(line, 'the hairpin rule of 8080:80 is there');
  const spec = line.replace(/^-A /, '').replaceAll('"', '').split(' ');
  const old = spec.join(' ').replace(' -m conntrack --ctstate DNAT', '').split(' ');
  await sb.exec(sb.host, ['iptables', '-t', 'nat', '-D', ...spec]);
  await sb.exec(sb.host, ['iptables', '-t', 'nat', '-A', ...old]);
  const oldForm = await sb.iptables();
  t.notMatch(oldForm, line, 'now in the old form');
  const gc = await ok(t, ['gc']);
  t.match(gc.stdout, /not touched: rule .*--dport 80 .*port rule of a recorded container.*check --repair/, 'gc names it and leaves it');
  t.equal(await sb.iptables(), oldForm, 'gc removed nothing: the container keeps its hairpin');
  const chk = await sb.cli(['check']);
  t.equal(chk.code, 1, 'check: drift');
  t.match(chk.stdout + chk.stderr, /hairpin: let ppla/);
  await ok(t, ['check', '--repair']);
  const sorted = (x: string) => x.split('\n').sort().join('\n');
  t.equal(sorted(await sb.iptables()), sorted(good), 'the new form again, the old one gone');
  t.equal((await sb.cli(['check'])).code, 0, 'clean after');
});

t.test('--dry-run shows each rule with what it is for, and changes nothing', async (t) => {
  const before = await sb.snapshot();
  const r = await ok(t, ['--dry-run', 'container', 'create', b, '--network', 'lab', '-p', '9090:90']);
  t.match(r.stdout, /# DNAT: host port 0\.0\.0\.0:9090\/tcp → pplb:90\/tcp/);
  t.match(r.stdout, /# hairpin: let pplb and its neighbours on lab reach pplb:90\/tcp/);
  t.match(r.stdout, /# localhost: let the host reach pplb:90\/tcp through 127\.0\.0\.1:9090\/tcp/);
  t.match(r.stdout, /hairpin: let pplb reach its own published ports/);
  t.same(await sb.snapshot(), before);
});

t.test('lab files take ports:, with the file and line in errors; nslabd refuses bad ports with a 4xx and lives on', async (t) => {
  const { writeFileSync } = await import('node:fs');
  const file = `${sb.stateDir}/lab.yaml`;
  writeFileSync(file, `containers:\n  ${e}:\n    network: lab\n    ports:\n      - 8080:80\n`);
  const bad = await sb.cli(['up', file]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /already published by ppla/);
  writeFileSync(file, `containers:\n  ${e}:\n    network: lab\n    ports:\n      - 99999:80\n`);
  const bad2 = await sb.cli(['up', file]);
  t.equal(bad2.code, 2);
  t.match(bad2.stderr, /lab\.yaml:5: containers\.ppl\w+\.ports\[0\]: .*outside 1-65535\nnslab: .*lab\.yaml: 1 problem; nothing was changed$/);
  await sb.startDaemon();
  const viaDaemon = await sb.cli(['container', 'create', e, '--network', 'lab', '-p', '1-2:1']);
  t.equal(viaDaemon.code, 2, 'through nslabd: refused');
  t.match(viaDaemon.stderr, /publish: .*not the same length/);
  await ok(t, ['container', 'create', e, '--network', 'lab', '-p', '8443:443']);
  t.match(await sb.iptables(), /--dport 8443 .*ctr=pple/, 'and publishes through nslabd');
  await sb.stopDaemon();
});
