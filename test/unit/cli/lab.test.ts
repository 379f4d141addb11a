// `nslab plan|up FILE` in-process with a fake engine: a bad file's every problem on stderr (and
// under --json), exit 2 before any engine is made; plan's text, JSON and exit codes.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Needs } from '../../../src/cli/program.js';
import type { Cli, GlobalOptions } from '../../../src/cli/context.js';
import type { EngineApi } from '../../../src/engine/api.js';
import type { PlanItem } from '../../../src/engine/plan-lab.js';
import { runCaptured } from '../../helpers/cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'nslab-lc-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

/** nslab ARGS in-process; `plan` answers `items`. `made`: whether the command asked for an engine at all. */
async function nslab(items: PlanItem[], ...args: string[]) {
  const r = { code: -1, out: '', err: '', made: false, calls: [] as unknown[][] };
  const engine = new Proxy({}, { get: (_, verb: string) => async (...a: unknown[]) => (r.calls.push([verb, ...a]), verb === 'plan' ? items : []) }) as EngineApi;
  const make = async (opts: GlobalOptions, _: Needs): Promise<Cli> => ((r.made = true), { opts, engine, out: (s) => void (r.out += s) });
  return runCaptured(r, args, make);
}

const BAD = 'networks:\n  lab:\n    subnet: 10.201.0.0/24\n    colour: blue\ncontainers:\n  web:\n    network: lab\n    ip: 10.9.0.5\n    ports: ["80:80", "x"]\n';

t.test('a bad file: every problem as FILE:LINE: PATH: message, a last line, exit 2, no engine asked for', async (t) => {
  const f = file('bad.yaml', BAD);
  for (const verb of ['plan', 'up', 'down']) {
    const r = await nslab([], verb, f);
    t.equal(r.code, 2, verb);
    t.equal(r.err, [
      `${f}:4: networks.lab.colour: unknown key (known: driver, subnet, gateway, ip-range, aux-address, bridge, mtu, internal, masquerade, icc, opt)`,
      `${f}:8: containers.web.ip: 10.9.0.5 is not in network lab (10.201.0.0/24)`,
      `${f}:9: containers.web.ports[1]: "x" is not [HOSTIP:]HOSTPORT:PORT (a random host port, -p PORT, is not supported)`,
      `nslab: ${f}: 3 problems; nothing was changed`,
      '',
    ].join('\n'), `${verb}: all at once`);
    t.same(r.calls, [], `${verb}: the engine was not called`);
  }
  t.notOk((await nslab([], 'plan', f)).made, 'plan reads the file before anything else');
  const j = await nslab([], '--json', 'plan', f);
  const e = JSON.parse(j.err).error;
  t.match(e, { kind: 'invalid', exitCode: 2, field: 'networks.lab.colour' });
  t.same(e.problems.map((p: { line: number; path: string }) => [p.line, p.path]), [[4, 'networks.lab.colour'], [8, 'containers.web.ip'], [9, 'containers.web.ports[1]']]);
  t.equal(e.problems[0].file, f);
  const missing = await nslab([], 'plan', join(dir, 'nowhere.yaml'));
  t.same([missing.code, missing.err], [2, `${join(dir, 'nowhere.yaml')}: file: cannot be read: ENOENT\nnslab: ${join(dir, 'nowhere.yaml')}: 1 problem; nothing was changed\n`]);
});

t.test('plan: the engine\'s items as text or JSON; exit 3 with --detailed-exitcode when changes are pending, else 0', async (t) => {
  const f = file('good.yaml', 'networks:\n  lab: {subnet: 10.201.0.0/24}\n');
  const items: PlanItem[] = [{ action: '+', kind: 'network', name: 'lab', what: 'bridge nslab-lab' }];
  const r = await nslab(items, 'plan', f);
  t.same([r.code, r.out], [0, '+ network lab: bridge nslab-lab\n\nPlan: 1 to add, 0 to change, 0 to remove.\n']);
  t.match(r.calls, [['plan', [{ name: 'lab', subnet: '10.201.0.0/24' }], []]]);
  t.equal((await nslab(items, 'plan', '--detailed-exitcode', f)).code, 3);
  t.equal((await nslab([], 'plan', '--detailed-exitcode', f)).code, 0, 'nothing to do: 0');
  t.equal((await nslab([], 'plan', f)).out, `No changes. The kernel matches ${f}.\n`);
  t.same(JSON.parse((await nslab(items, '--json', 'plan', f)).out), { changes: items, add: 1, change: 0, remove: 0, refused: false });
  const help = await nslab([], 'plan', '--help');
  t.match(help.out, /--detailed-exitcode/);
  t.match(help.out, /3 with --detailed-exitcode: `up` would change something/);
});
