// npm run bench: N containers created and removed inside a sandbox, nslab against a bash floor.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const N = Number(process.argv[2] ?? process.env.N ?? 200);
const SINGLE = Number(process.env.SINGLE ?? 20);
// Prefix of every machine-wide name the bench makes (namespaces, /etc/netns), so runs never collide.
const PREFIX = process.env.BENCH_PREFIX ?? '';
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const tty = process.stdout.isTTY;

async function inSandbox<T>(name: string, fn: (ns: string) => Promise<T>): Promise<T> {
  const ns = `nslb-${PREFIX}${name}`;
  await execa('ip', ['netns', 'add', ns]);
  try {
    return await fn(ns);
  } finally {
    await execa('ip', ['netns', 'del', ns], { reject: false });
  }
}

function say(s: string) {
  process.stdout.write(tty ? `\r\x1b[K${s}` : `${s}\n`);
}

const floor = await inSandbox('f', async (ns) => {
  say(`bash floor: ${SINGLE} containers one at a time, ${N} in bulk…`);
  const r = await execa('nsenter', [`--net=/run/netns/${ns}`, 'bash', join(root, 'scripts', 'bench-floor.sh'), String(N), String(SINGLE), PREFIX]);
  return JSON.parse(r.stdout) as { single: number; create: number; remove: number };
});

const nslab = await inSandbox('n', async (ns) => {
  say(`nslab: ${SINGLE} containers one at a time, ${N} in bulk…`);
  const r = await execa('nsenter', [`--net=/run/netns/${ns}`, 'node', join(here, 'worker.js'), String(N), String(SINGLE), PREFIX]);
  return JSON.parse(r.stdout) as { create: number; remove: number; single: number; singleMedian: number; singleRemove: number; rssMb: number };
});
if (tty) process.stdout.write('\r\x1b[K');

const f = (x: number) => x.toFixed(2).padStart(7);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
console.log(`nslab bench: N=${N} containers (ms per container; ratio = nslab / bash floor, measured in this run)`);
console.log(`  create, bulk (nslab up)    nslab ${f(nslab.create)}   floor ${f(floor.create)}   ratio ${ratio(nslab.create, floor.create)}   target <= 10 ms`);
console.log(`  remove, bulk (nslab down)  nslab ${f(nslab.remove)}   floor ${f(floor.remove)}   ratio ${ratio(nslab.remove, floor.remove)}   target <= 2 ms`);
console.log(`  create, single call        nslab ${f(nslab.single)}   floor ${f(floor.single)}   ratio ${ratio(nslab.single, floor.single)}   target <= 15 ms`);
console.log(`                             (mean of ${SINGLE}, median ${nslab.singleMedian.toFixed(2)}; nslab's figure includes the lock, the state write and the /etc/netns files)`);
console.log(`  remove, single call        nslab ${f(nslab.singleRemove)}`);
console.log(`  peak RSS of the nslab worker: ${nslab.rssMb.toFixed(0)} MB`);
