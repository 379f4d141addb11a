// Removal is best effort (issue 9): with the Nth kernel command failing, down, rm, rm --force,
// network rm and reset go on past it, report it, exit 1, keep recorded exactly what is left,
// and the same command run again finishes the job (exit 0, the host as before the lab).
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandbox, type RunResult } from '../helpers/sandbox.js';
import type { State } from '../../src/state/types.js';

const sb = await sandbox('kbr');
const dir = mkdtempSync(join(tmpdir(), 'nslab-kbr-lab-'));
t.teardown(async () => {
  await sb.down();
  rmSync(dir, { recursive: true, force: true });
});
const [r1, r2, r3] = [sb.name('r1'), sb.name('r2'), sb.name('r3')];
const file = join(dir, 'lab.yaml');
writeFileSync(file, `networks:\n  kbrn:\n    subnet: 10.211.0.0/24\n    icc: false\ncontainers:\n  ${r1}:\n    network: kbrn\n  ${r2}:\n    network: kbrn\n`);
// Forwarding and br_netfilter stay on once a network turned them on (as with Docker): the
// host "before" is the host after one clean up and down.
for (const args of [['up', file], ['down', file]]) {
  const r = await sb.cli(args);
  if (r.code !== 0) throw new Error(r.stderr);
}
const pristine = await sb.snapshot();

const state = () => JSON.parse(readFileSync(join(sb.stateDir, 'state.json'), 'utf8')) as State;

/** What is left in the kernel of a container or network. */
async function leftOf(kind: 'container' | 'network', name: string): Promise<string[]> {
  const links = (await sb.ipJson<Array<{ ifname: string }>>(['link', 'show'])).map((l) => l.ifname);
  if (kind === 'container') {
    return [
      ...(existsSync(`/run/netns/${name}`) ? ['netns'] : []),
      ...(existsSync(`/etc/netns/${name}`) ? ['files'] : []),
      ...(links.includes(`nv-${name}-0`) ? ['veth'] : []),
    ];
  }
  return [...(links.includes(`nslab-${name}`) ? ['bridge'] : []), ...(new RegExp(`nslab:[0-9a-f]{8}:net=${name}\\b`).test(await sb.iptables()) ? ['rules'] : [])];
}

/** A record is kept exactly for what still has something in the kernel. */
async function recordsMatch(t: Tap.Test, what: Array<['container' | 'network', string]>, n: number): Promise<number> {
  const s = state();
  let left = 0;
  for (const [kind, name] of what) {
    const rest = await leftOf(kind, name);
    const recorded = kind === 'container' ? !!s.containers[name] : !!s.networks[name];
    t.equal(recorded, rest.length > 0, `fault at ${n}: ${kind} ${name} recorded: ${recorded}, left in the kernel: ${rest.join(', ') || 'nothing'}`);
    if (recorded) left++;
  }
  return left;
}

const must = async (r: Promise<RunResult>) => {
  const x = await r;
  if (x.code !== 0) throw new Error(x.stderr);
};

/**
 * For N = 1, 2, …: build with `setup`, run `verb` with op N failing; expect exit 1, the fault
 * reported, nothing said "undone", records that match the kernel, at most `maxLeft` objects
 * left (the step that failed and what needs it); then the same verb again: exit 0, host as `end`.
 */
async function faultEach(t: Tap.Test, o: {
  setup: () => Promise<void>; verb: string[]; objects: Array<['container' | 'network', string]>; maxLeft: number; end: () => Promise<Record<string, unknown>>;
}) {
  let n = 1;
  for (; n <= 30; n++) {
    await o.setup();
    const r = await sb.cli(o.verb, { NSLAB_FAULT_AT: String(n) });
    if (r.code === 0) break;
    t.equal(r.code, 1, `fault at ${n}: exit 1 (${r.stderr.trim()})`);
    t.match(r.stderr, /removal step\(s\) failed and the rest went on/, `fault at ${n}: says it went on`);
    t.match(r.stderr, /injected fault before: /, `fault at ${n}: names the failed command`);
    t.notMatch(r.stderr, /undone/, `fault at ${n}: never says "undone"`);
    const left = await recordsMatch(t, o.objects, n);
    t.ok(left <= o.maxLeft, `fault at ${n}: ${left} object(s) left, at most ${o.maxLeft} (the rest went)`);
    const again = await sb.cli(o.verb);
    t.equal(again.code, 0, `fault at ${n}: the second run finishes (${again.stderr.trim()})`);
    const end = await o.end();
    t.same(await sb.snapshot(), end, `fault at ${n}: everything gone`);
  }
  t.ok(n > 2, `faults at ops 1..${n - 1}, then it ran clean`);
  await o.end(); // what the clean run leaves for the next test
}

t.test('down FILE', async (t) => {
  await faultEach(t, {
    setup: () => must(sb.cli(['up', file])),
    verb: ['down', file],
    objects: [['container', r1], ['container', r2], ['network', 'kbrn']],
    // One container's failed step keeps it, and the network it is attached to.
    maxLeft: 3, // the faulted namespace keeps its /etc/netns mark until it is gone
    end: async () => pristine,
  });
});

t.test('container rm, and rm --force of a shared namespace', async (t) => {
  await must(sb.cli(['network', 'create', 'kbrn', '--subnet', '10.211.0.0/24']));
  const withNet = await sb.snapshot();
  await faultEach(t, {
    setup: async () => {
      await must(sb.cli(['container', 'create', r1, '--network', 'kbrn']));
      await must(sb.cli(['container', 'create', r2, '--network', 'kbrn']));
    },
    verb: ['container', 'rm', r1, r2],
    objects: [['container', r1], ['container', r2]],
    maxLeft: 2, // the faulted namespace keeps its /etc/netns mark until it is gone
    end: async () => withNet,
  });
  await faultEach(t, {
    setup: async () => {
      await must(sb.cli(['container', 'create', r1, '--network', 'kbrn']));
      await must(sb.cli(['container', 'create', r3, '--network', `container:${r1}`]));
    },
    verb: ['container', 'rm', '--force', r1],
    objects: [['container', r1]],
    maxLeft: 2, // the faulted namespace keeps its /etc/netns mark until it is gone
    end: async () => {
      // r3 keeps the namespace with only lo; remove it to compare with the network alone.
      await must(sb.cli(['container', 'rm', r3]));
      return withNet;
    },
  });
  await must(sb.cli(['network', 'rm', 'kbrn']));
});

t.test('network rm', async (t) => {
  await faultEach(t, {
    setup: () => must(sb.cli(['network', 'create', 'kbrn', '--subnet', '10.211.0.0/24', '--no-icc'])),
    verb: ['network', 'rm', 'kbrn'],
    objects: [['network', 'kbrn']],
    maxLeft: 1,
    end: async () => pristine,
  });
});

t.test('reset', async (t) => {
  await faultEach(t, {
    setup: () => must(sb.cli(['up', file])),
    verb: ['reset'],
    objects: [['container', r1], ['container', r2], ['network', 'kbrn']],
    maxLeft: 3, // the faulted namespace keeps its /etc/netns mark until it is gone
    end: async () => pristine,
  });
});
