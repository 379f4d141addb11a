// A recorded bridge's name taken by a link nslab did not make (or another lab made): check
// names the conflict (exit 1), check --repair and nslabd's start repair everything else and
// leave that link exactly as it is.
import t from 'tap';
import { execa } from 'execa';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('kdf');
t.teardown(() => sb.down());
const [c1, c2] = ['c1', 'c2'].map((n) => sb.name(n));
const ipHost = (args: string[]) => execa('ip', ['-n', sb.host, ...args]);
/** The foreign link as `ip -d link` shows it, minus counters and timers. */
const foreign = async () => (await sb.ipJson(['-d', 'link', 'show', 'nslab-kdfa'])).map((l: any) => ({
  ifname: l.ifname, kind: l.linkinfo?.info_kind, alias: l.ifalias, address: l.address, flags: l.flags, mtu: l.mtu, master: l.master,
}));

t.before(async () => {
  for (const args of [
    ['network', 'create', 'kdfa', '--subnet', '10.234.0.0/24'],
    ['network', 'create', 'kdfb', '--subnet', '10.235.0.0/24'],
    ['container', 'create', c1, '--network', 'kdfa'],
    ['container', 'create', c2, '--network', 'kdfb'],
  ]) t.equal((await sb.cli(args)).code, 0, args.join(' '));
});

for (const [who, alias] of [['a link nslab did not make', 'someone else'], ["another lab's bridge", 'nslab:0000beef:network:kdfa']] as const) {
  t.test(`the bridge's name is held by ${who}`, async (t) => {
    // The recorded bridge vanishes and something else takes its name.
    await ipHost(['link', 'del', 'nslab-kdfa']);
    await ipHost(['link', 'add', 'nslab-kdfa', 'type', 'bridge']);
    await ipHost(['link', 'set', 'nslab-kdfa', 'alias', alias]);
    const held = await foreign();
    // And something repairable breaks on the other network.
    await ipHost(['link', 'set', `nv-${c2}-0`, 'down']);

    const check = await sb.cli(['check']);
    t.equal(check.code, 1, 'plain check: drift, exit 1 (not a refusal)');
    t.match(check.stdout, /network kdfa: interface nslab-kdfa, the recorded bridge of kdfa, is .* left alone.*\[conflict\]/, 'names the conflict');
    t.same(await foreign(), held, 'check left the link alone');

    const repair = await sb.cli(['check', '--repair']);
    t.equal(repair.code, 1, 'check --repair: the conflict remains, exit 1');
    t.match(repair.stdout, /still: network kdfa: interface nslab-kdfa/);
    t.ok((await sb.ipJson(['link', 'show', `nv-${c2}-0`]))[0]!.flags.includes('UP'), 'the rest was repaired');
    t.same(await foreign(), held, 'check --repair left the link alone');
    t.equal((await sb.ipJson(['link', 'show', 'master', 'nslab-kdfa'])).length, 0, "no veth of ours was put on it");

    await ipHost(['link', 'set', `nv-${c2}-0`, 'down']);
    await sb.startDaemon();
    t.ok(sb.daemon && sb.daemon.exitCode === null, 'nslabd starts');
    t.ok((await sb.ipJson(['link', 'show', `nv-${c2}-0`]))[0]!.flags.includes('UP'), "nslabd's start repaired the rest");
    t.same(await foreign(), held, "nslabd's start left the link alone");
    await sb.stopDaemon();

    t.equal((await sb.cli(['gc'])).code, 0);
    t.same(await foreign(), held, 'gc left it alone too');
    await ipHost(['link', 'del', 'nslab-kdfa']);
    // Back to the recorded bridge for the next case.
    t.equal((await sb.cli(['check', '--repair'])).code, 0, 'with the name free again, check --repair rebuilds the bridge');
  });
}
