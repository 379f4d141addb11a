// The schedule, pure: which units run side by side, which files ride along, where the state save goes.
import t from 'tap';
import { wavesOf, type Wave } from '../../../src/engine/apply/schedule.js';
import { unitsOf, type Unit } from '../../../src/engine/apply/units.js';
import { step, type Step } from '../../../src/engine/step.js';
import { ip, type Op } from '../../../src/exec/command.js';

const file = (id: string) => step(id, id, 'files', [{ kind: 'mkdir', path: `/etc/netns/${id}` }]);
const host = (id: string) => step(id, id, 'files', [ip(['link', 'add', id])]);
const inNs = (id: string, ns: string) => step(id, id, 'files', [ip(['link', 'set', 'lo', 'up'], { netns: ns })]);
const mount = (id: string) => step(id, id, 'files', [{ kind: 'cmd', file: 'mount', args: ['--bind', id], mutates: true } as Op]);

/** Each wave as its process units, its file units (a unit named by its steps' ids) and the save. */
function waves(steps: Step[]) {
  const name = (u: Unit) => [...new Set(u.slots.map((s) => steps[s.step]!.id))].join('+');
  return wavesOf(unitsOf(steps)).map((w: Wave) => ({ p: w.processes.map(name), f: w.files.map(name), save: w.save }));
}

t.test('an empty plan is one wave that only saves', async (t) => {
  t.same(waves([]), [{ p: [], f: [], save: true }]);
});

t.test('files are written before the next process starts (never while it runs); the save rides on the last wave', async (t) => {
  t.same(waves([file('a'), host('b'), host('c'), file('d'), inNs('e', 'x')]), [
    { p: [], f: ['a'], save: false },
    { p: ['b+c'], f: [], save: false }, // b and c share one host batch
    { p: [], f: ['d'], save: false },
    { p: ['e'], f: [], save: true },
  ]);
});

t.test('batches in different namespaces form one parallel wave; a host process ends it', async (t) => {
  t.same(waves([inNs('a', 'x'), inNs('b', 'y'), inNs('c', 'z'), host('d'), inNs('e', 'x'), inNs('f', 'y')]), [
    { p: ['a', 'b', 'c'], f: [], save: false },
    { p: ['d'], f: [], save: false },
    { p: ['e', 'f'], f: [], save: true },
  ]);
});

t.test('consecutive steps in one namespace are one batch, so one process', async (t) => {
  t.same(waves([inNs('a', 'x'), inNs('b', 'x'), inNs('c', 'y')]), [{ p: ['a+b', 'c'], f: [], save: true }]);
});

t.test('files before any process (mount, ip) get a wave of their own', async (t) => {
  t.same(waves([file('a'), file('b'), mount('c'), file('d'), host('e')]), [
    { p: [], f: ['a', 'b'], save: false },
    { p: ['c'], f: [], save: false },
    { p: [], f: ['d'], save: false },
    { p: ['e'], f: [], save: true },
  ]);
});

t.test('a process other than ip with no files before it, and files at the end, which carry the save', async (t) => {
  t.same(waves([mount('a'), host('b'), file('c'), file('d')]), [
    { p: ['a'], f: [], save: false },
    { p: ['b'], f: [], save: false },
    { p: [], f: ['c', 'd'], save: true },
  ]);
});

t.test('files come before a parallel wave of namespace batches, and after it', async (t) => {
  t.same(waves([file('a'), inNs('b', 'x'), inNs('c', 'y'), file('d')]), [
    { p: [], f: ['a'], save: false },
    { p: ['b', 'c'], f: [], save: false },
    { p: [], f: ['d'], save: true },
  ]);
});

t.test('any plan: every unit once, in plan order (files before processes within a wave), one save, last', async (t) => {
  const makers = [file, host, mount, (id: string) => inNs(id, 'x'), (id: string) => inNs(id, 'y'), (id: string) => inNs(id, 'z')];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let n = 0; n < 200; n++) {
    const steps = Array.from({ length: Math.floor(next() * 12) }, (_, i) => makers[Math.floor(next() * makers.length)]!(`s${i}`));
    const units = unitsOf(steps);
    const ws = wavesOf(units);
    t.same(ws.flatMap((w) => [...w.files, ...w.processes]), units, `plan ${n}: all units in order`);
    t.same(ws.map((w) => w.save), ws.map((_, i) => i === ws.length - 1), `plan ${n}: the last wave saves`);
    t.ok(ws.every((w) => w.processes.length <= 1 || w.processes.every((u) => u.key)), `plan ${n}: only namespace batches run side by side`);
    t.ok(ws.every((w) => w.files.every((u) => u.slots[0]!.op.kind !== 'cmd')), `plan ${n}: files are file ops`);
    t.ok(ws.every((w) => !(w.files.length && w.processes.length)), `plan ${n}: no file is written while a process runs`);
  }
});
