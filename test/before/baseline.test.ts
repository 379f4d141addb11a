// Runs before every other test file: records what of the kinds the leftover check looks at is
// already on this machine (the example lab and the nslabd service that scripts/setup.sh starts,
// a lab of the user's), so that the check at the end counts only what the suite left.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BASELINE, readLeftovers, sandboxTags } from '../helpers/leftovers.js';

const before = await readLeftovers(sandboxTags(), [process.pid, process.ppid]);
mkdirSync(dirname(BASELINE), { recursive: true });
writeFileSync(BASELINE, JSON.stringify({ at: Date.now(), ...before }) + '\n');
const there = Object.entries(before).filter(([, v]) => v.length).map(([k, v]) => `${k}: ${v.length}`);
t.pass(there.length ? `already on this machine before the tests, not counted as theirs: ${there.join(', ')}` : 'nothing of nslab on this machine before the tests');
