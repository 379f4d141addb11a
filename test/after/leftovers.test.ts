// Runs after every other test file: nothing the suite made may be left on this machine —
// namespaces, /etc/netns entries, links, iptables chains, mounts, processes or the sandboxes'
// owner records (whose directory it then removes). What was there
// before the first test file (recorded by test/before/baseline.test.ts: the example lab that
// scripts/setup.sh brings up, say) is not the suite's and is not counted.
import t from 'tap';
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { BASELINE, readLeftovers, sandboxTags, type Leftovers } from '../helpers/leftovers.js';
import { OWNER_DIR } from '../helpers/sandbox-owner.js';

const tags = sandboxTags();
t.ok(tags.length >= 10, `found the sandbox tags of the test files (${tags.join(' ')})`);
const before: Partial<Leftovers> = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) : {};
const now = await readLeftovers(tags, [process.pid, process.ppid]);
const made = (k: keyof Leftovers) => now[k].filter((x) => !(before[k] ?? []).includes(x));

t.same(made('netns'), [], 'no sandbox or test-container namespaces left');
t.same(made('etc'), [], 'no /etc/netns entries left');
t.same(made('links'), [], 'no nslab links in the root namespace');
t.same(made('rules'), [], 'no nslab chains or rules in the root namespace');
t.same(made('mounts'), [], 'no namespace mounts of the tests left');
t.same(made('procs'), [], 'no process of the tests is still running');

// Each sandbox drops its record when it is taken down (a killed run's is reclaimed by the next).
const records = existsSync(OWNER_DIR) ? readdirSync(OWNER_DIR) : [];
t.same(records, [], `no sandbox owner records left in ${OWNER_DIR}`);
// The directory is the suite's own: removed once empty (rmdirSync throws, failing this file, if it cannot be).
if (existsSync(OWNER_DIR) && !records.length) rmdirSync(OWNER_DIR);
