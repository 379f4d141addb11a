// The command tree driven in-process with a fake engine: global options anywhere, Docker's flag
// spellings, -q/--format, help with an example on every command, and one error style.
import t from 'tap';
import type { Command } from 'commander';
import { buildProgram, commandPath, type Needs } from '../../../src/cli/program.js';
import type { Cli, GlobalOptions } from '../../../src/cli/context.js';
import type { EngineApi } from '../../../src/engine/api.js';
import type { ContainerRecord, NetworkRecord, State } from '../../../src/state/types.js';
import { runCaptured } from '../../helpers/cli-run.js';

const net: NetworkRecord = {
  name: 'lab', id: 'n1234567890abcdef', driver: 'bridge', bridge: 'nslab-lab', subnets: [{ subnet: '10.1.0.0/24', gateway: '10.1.0.1', auxAddresses: {} }],
  mtu: 1500, masquerade: true, icc: true, internal: false, created: '',
};
const ctr = (name: string): ContainerRecord => ({
  name, id: `c-${name}-0123456789`, mode: 'network', status: 'ready', hostname: name, dns: [], dnsSearch: [], addHosts: [], request: {}, created: '',
  endpoints: [{ network: 'lab', ifname: 'eth0', hostVeth: `nv-${name}-0`, addresses: [{ ip: '10.1.0.2', prefix: 24, gateway: '10.1.0.1' }], mac: '02:42:0a:01:00:02', aliases: [] }],
});
const state: State = { version: 3, networks: { lab: net, other: { ...net, name: 'other', bridge: 'nslab-other' } }, containers: { c1: ctr('c1'), c2: ctr('c2') } };

interface Run {
  code: number;
  out: string;
  err: string;
  /** The global options and needs the command asked its engine with (undefined: it asked none). */
  opts?: GlobalOptions;
  needs?: Needs;
  /** Each engine call: [verb, ...args]. */
  calls: unknown[][];
}

/** nslab ARGS in-process, with an engine that records its calls and reads `state`. */
async function nslab(...args: string[]): Promise<Run> {
  const r: Run = { code: -1, out: '', err: '', calls: [] };
  const engine = new Proxy({}, {
    get: (_, verb: string) => async (...a: unknown[]) => {
      r.calls.push([verb, ...a]);
      if (verb === 'readState') return state;
      if (verb === 'createContainers') return (a[0] as Array<{ name: string }>).map((x) => ctr(x.name));
      if (verb === 'createNetwork') return net;
      if (verb === 'connect') return ctr('c1').endpoints[0];
      return [];
    },
  }) as EngineApi;
  const make = async (opts: GlobalOptions, needs: Needs): Promise<Cli> => {
    r.opts = { ...opts };
    r.needs = needs;
    return { opts, engine, out: (s) => void (r.out += s) };
  };
  return runCaptured(r, args, make);
}

t.test('global options anywhere on the line mean the same', async (t) => {
  const forms: Array<[string[], Partial<GlobalOptions>]> = [
    [['--json'], { json: true }],
    [['--dry-run'], { dryRun: true }],
    [['--state-dir', '/tmp/hc-s'], { stateDir: '/tmp/hc-s' }],
    [['--state-dir=/tmp/hc-s'], { stateDir: '/tmp/hc-s' }],
    [['--socket', '/tmp/hc.sock'], { socket: '/tmp/hc.sock' }],
    [['--log-level', 'debug'], { logLevel: 'debug' }],
    [['--firewall-backend', 'none'], { firewallBackend: 'none' }],
  ];
  for (const [flag, want] of forms) {
    for (const args of [[...flag, 'container', 'ls'], ['container', 'ls', ...flag], ['container', ...flag, 'ls']]) {
      const r = await nslab(...args);
      t.equal(r.code, 0, `nslab ${args.join(' ')}: exit 0`);
      t.match(r.opts, want, `nslab ${args.join(' ')}: ${flag[0]} reaches the engine`);
    }
  }
  const a = await nslab('container', 'ls', '--json');
  const b = await nslab('--json', 'container', 'ls');
  t.equal(a.out, b.out, 'container ls --json prints what --json container ls prints');
  t.same(JSON.parse(a.out).map((c: { Name: string }) => c.Name), ['c1', 'c2']);
});

t.test("Docker's spellings of create and run", async (t) => {
  const r = await nslab('run', '--name', 'c9', '--net', 'lab', '--mac-address', '02:42:0a:01:00:09', '--network-alias', 'web', '--network-alias', 'www');
  t.equal(r.code, 0, r.err);
  t.match(r.calls.find((c) => c[0] === 'createContainers')?.[1], [{ name: 'c9', networks: ['lab'], mac: '02:42:0a:01:00:09', aliases: ['web', 'www'] }], 'run --name --net --mac-address --network-alias');
  const c = await nslab('container', 'create', 'c8', '--network', 'lab', '--alias', 'a', '--network-alias', 'b', '--mac', '02:42:0a:01:00:08');
  t.match(c.calls.find((x) => x[0] === 'createContainers')?.[1], [{ name: 'c8', networks: ['lab'], mac: '02:42:0a:01:00:08', aliases: ['a', 'b'] }], '--alias and --network-alias add up');
  t.match((await nslab('container', 'create', 'c7', '--name', 'c7')).calls.find((x) => x[0] === 'createContainers')?.[1], [{ name: 'c7' }], 'the same name twice is fine');
  const two = await nslab('run', 'a', '--name', 'b');
  t.equal(two.code, 2);
  t.equal(two.err, 'nslab: name: given twice, "a" and --name "b": give one\n');
  t.same(two.calls, [], 'refused before the engine is asked');
  const none = await nslab('run', '--net', 'lab');
  t.equal(none.code, 2);
  t.equal(none.err, 'nslab: name: give the container a name: nslab run NAME, or --name NAME as in Docker\n');
  const macs = await nslab('run', 'x', '--mac', '02:42:00:00:00:01', '--mac-address', '02:42:00:00:00:02');
  t.equal(macs.code, 2);
  t.match(macs.err, /^nslab: mac: given twice/);
});

t.test("network create takes Docker's -o/--opt and --ip-range; connect takes --network-alias", async (t) => {
  const r = await nslab('network', 'create', 'n1', '--subnet', '10.9.0.0/24', '--ip-range', '10.9.0.128/25',
    '-o', 'com.docker.network.bridge.name=br-n1', '--opt', 'com.docker.network.driver.mtu=1400',
    '--opt=com.docker.network.bridge.enable_icc=false', '-o', 'com.docker.network.bridge.enable_ip_masquerade=false');
  t.equal(r.code, 0, r.err);
  t.match(r.calls.find((c) => c[0] === 'createNetwork')?.[1], {
    name: 'n1', subnet: '10.9.0.0/24', ipRange: '10.9.0.128/25',
    options: ['com.docker.network.bridge.name=br-n1', 'com.docker.network.driver.mtu=1400', 'com.docker.network.bridge.enable_icc=false', 'com.docker.network.bridge.enable_ip_masquerade=false'],
  });
  const c = await nslab('network', 'connect', 'other', 'c1', '--network-alias', 'db', '--alias', 'db2');
  t.same(c.calls.find((x) => x[0] === 'connect'), ['connect', 'other', 'c1', { ip: undefined, aliases: ['db2', 'db'] }]);
});

t.test('ls: -q, --format json|table|template; inspect: -f/--format', async (t) => {
  for (const what of ['network', 'container']) {
    const names = what === 'network' ? 'lab\nother\n' : 'c1\nc2\n';
    t.equal((await nslab(what, 'ls', '-q')).out, names, `${what} ls -q`);
    t.equal((await nslab(what, 'ls', '--quiet')).out, names, `${what} ls --quiet`);
    t.equal((await nslab(what, 'ls', '--format', '{{.Name}}')).out, names, `${what} ls --format {{.Name}}`);
    t.equal((await nslab(what, 'ls', '--format', 'json')).out, (await nslab(what, 'ls', '--json')).out, `${what} ls --format json is --json`);
    t.equal((await nslab('--json', what, 'ls', '--format', 'table')).out, (await nslab(what, 'ls')).out, `${what} ls --format table wins over --json`);
    t.match((await nslab(what, 'ls')).out, /^(NETWORK|CONTAINER) ID\s+NAME/, `${what} ls: a table by default`);
    const bad = await nslab(what, 'ls', '--format', 'yaml');
    t.equal(bad.code, 2);
    t.match(bad.err, /^nslab: format: "yaml" is not json, table or a template/);
  }
  t.equal((await nslab('network', 'inspect', 'lab', 'other', '-f', '{{.Name}} {{json .IPAM.Config}}')).out,
    'lab [{"Subnet":"10.1.0.0/24","Gateway":"10.1.0.1"}]\nother [{"Subnet":"10.1.0.0/24","Gateway":"10.1.0.1"}]\n');
  t.equal((await nslab('container', 'inspect', 'c1', '--format', '{{.NetworkSettings.Networks.lab.IPAddress}}')).out, '10.1.0.2\n');
  t.equal((await nslab('container', 'inspect', 'c1', '--format', 'json')).out, (await nslab('container', 'inspect', 'c1')).out);
  t.equal((await nslab('network', 'inspect', 'lab', '--format', 'table')).code, 2, 'inspect has no table');
});

t.test('commander refusals read nslab: arguments: …, exit 2; --log-level is checked before anything runs', async (t) => {
  const cases: Array<[string[], string]> = [
    [['network', 'create'], "nslab: arguments: missing required argument 'name'\n"],
    [['network', 'ls', '--bogus'], "nslab: arguments: unknown option '--bogus'\n"],
    [['bogus'], "nslab: arguments: unknown command 'bogus'\n"],
    [['--log-level', 'bogus', 'network', 'ls'], 'nslab: log-level: "bogus" is not a level (one of fatal, error, warn, info, debug, trace, silent)\n'],
    [['network', 'ls', '--log-level', 'loud'], 'nslab: log-level: "loud" is not a level (one of fatal, error, warn, info, debug, trace, silent)\n'],
  ];
  for (const [args, line] of cases) {
    const r = await nslab(...args);
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.equal(r.err, line, `${args.join(' ')}: one line`);
    t.same(r.calls, [], `${args.join(' ')}: the engine is not asked`);
  }
  const j = await nslab('--json', 'network', 'ls', '--log-level', 'bogus');
  t.same(JSON.parse(j.err), { error: { kind: 'invalid', field: 'log-level', exitCode: 2, message: 'log-level: "bogus" is not a level (one of fatal, error, warn, info, debug, trace, silent)' } }, 'under --json: the JSON line');
});

t.test('read commands ask for no root; commands that change the host do', async (t) => {
  for (const args of [['network', 'ls'], ['container', 'ls'], ['network', 'inspect', 'lab'], ['container', 'inspect', 'c1']]) {
    t.same((await nslab(...args)).needs, { root: false }, args.join(' '));
  }
  for (const args of [['network', 'create', 'x'], ['run', 'x'], ['container', 'rm', 'x'], ['network', 'rm', 'x'], ['reset'], ['gc'], ['check']]) {
    t.same((await nslab(...args)).needs, { root: true }, args.join(' '));
  }
});

/** Every command of the tree, with its help as -h prints it. */
function helps(): Array<[string, string]> {
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  return all(buildProgram()).filter((c) => c.name() !== 'help').map((c) => {
    let text = '';
    c.configureOutput({ writeOut: (s) => void (text += s) });
    c.outputHelp();
    return [commandPath(c) || 'nslab', text];
  });
}

t.test('every command: -h shows its flags, the global options and an example', async (t) => {
  const list = helps();
  t.ok(list.length >= 25, `every command is seen (${list.length})`);
  for (const [path, text] of list) {
    t.match(text, /\nExamples?:\n {2}\S/, `${path}: an example`);
    t.match(text, /--state-dir <dir>/, `${path}: the global options`);
  }
  const create = list.find(([p]) => p === 'network create')![1];
  for (const flag of ['--subnet', '--ip-range', '-o, --opt', '--driver']) t.match(create, flag, `network create -h: ${flag}`);
  const run = list.find(([p]) => p === 'run')![1];
  for (const flag of ['--name', '--net', '--network-alias', '--mac-address']) t.match(run, flag, `run -h: ${flag}`);
});

t.test('nslab help: the commands by group, the global options; help CMD SUB is that command\'s -h', async (t) => {
  const r = await nslab('help');
  t.equal(r.code, 0);
  t.match(r.out, /Global options \(anywhere on the line\):\n {2}--json/);
  const groups = [...r.out.matchAll(/^(\w+):$/gm)].map((m) => m[1]);
  t.same(groups, ['Options', 'Networks', 'Containers', 'Labs', 'Upkeep', 'About', 'Examples'], 'the headings, in order');
  const deep = await nslab('help', 'network', 'create');
  t.equal(deep.code, 0);
  t.match(deep.out, /^Usage: nslab network create \[options\] <name>/);
  t.equal(deep.out, (await nslab('network', 'create', '-h')).out);
  t.equal((await nslab('network', 'create', '--state-dir', '/x', '--help')).code, 0);
});

t.test('no command, or a group without its subcommand: the help on stderr, exit 2, no other line', async (t) => {
  for (const args of [[], ['network'], ['container', '--json']]) {
    const r = await nslab(...args);
    t.equal(r.code, 2, `nslab ${args.join(' ')}: exit 2`);
    t.match(r.err, /^Usage: nslab /, 'the help');
    t.notMatch(r.err, /^nslab: /m, 'no error line after it');
    t.equal(r.out, '', 'nothing on stdout');
  }
});

t.test('--version and -v: the version from package.json', async (t) => {
  const { version } = JSON.parse(await (await import('node:fs/promises')).readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const r = await nslab(flag);
    t.equal(r.code, 0);
    t.equal(r.out, `nslab version ${version}\n`);
  }
});
