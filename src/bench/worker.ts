// The nslab side of the benchmark, run inside the sandbox host: single creates, then bulk up/down.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Engine } from '../engine/engine.js';
import { ExecaRunner } from '../exec/runner.js';

const N = Number(process.argv[2] ?? 200);
const SINGLE = Number(process.argv[3] ?? 20);
const PREFIX = process.argv[4] ?? '';
const stateDir = mkdtempSync(join(tmpdir(), 'nslab-bench-'));
const log = pino({ level: 'silent' });
const engine = new Engine({ runner: new ExecaRunner(log), stateDir, log });
const names = Array.from({ length: N }, (_, i) => `${PREFIX}nb${i}`);
const ms = (t0: number) => performance.now() - t0;

try {
  await engine.createNetwork({ name: 'bench', subnet: '10.240.0.0/16' });
  // One at a time first, on a quiet kernel (deleting N namespaces keeps it busy for a while).
  let singleRemove = 0;
  let t0: number;
  const singles: number[] = [];
  for (let i = 0; i < SINGLE; i++) {
    t0 = performance.now();
    await engine.createContainers([{ name: `${PREFIX}nbs${i}`, network: 'bench' }]);
    singles.push(ms(t0));
  }
  const single = singles.reduce((a, b) => a + b, 0) / SINGLE;
  const singleMedian = [...singles].sort((a, b) => a - b)[SINGLE >> 1]!;
  for (let i = 0; i < SINGLE; i++) {
    t0 = performance.now();
    await engine.removeContainers([`${PREFIX}nbs${i}`]);
    singleRemove += ms(t0);
  }
  t0 = performance.now();
  await engine.up([], names.map((name) => ({ name, network: 'bench' })));
  const create = ms(t0) / N;
  t0 = performance.now();
  await engine.removeContainers(names);
  const remove = ms(t0) / N;
  process.stdout.write(JSON.stringify({ create, remove, single, singleMedian, singleRemove: singleRemove / SINGLE, rssMb: process.resourceUsage().maxRSS / 1024 }));
} finally {
  await engine.reset();
  rmSync(stateDir, { recursive: true, force: true });
}
