// The examples as a whole: every lesson folder has its lab, README and test, the index lists it, and no two labs collide.
import t from 'tap';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab } from '../src/lab/labfile.js';
import { parseCidr4, type Cidr4 } from '../src/ipam/cidr.js';

const DIR = import.meta.dirname;
const lessons = readdirSync(DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
const labs = lessons.map((l) => ({ lesson: l, lab: parseLab(readFileSync(join(DIR, l, 'lab.yaml'), 'utf8'), `${l}/lab.yaml`) }));

t.test('each lesson has lab.yaml, README.md with commands to run, and lab.test.ts; the index links it', async (t) => {
  t.ok(lessons.length >= 7, lessons.join(' '));
  const index = readFileSync(join(DIR, 'README.md'), 'utf8');
  for (const l of lessons) {
    for (const f of ['lab.yaml', 'README.md', 'lab.test.ts']) t.ok(existsSync(join(DIR, l, f)), `${l}/${f}`);
    const readme = readFileSync(join(DIR, l, 'README.md'), 'utf8');
    t.match(readme, `sudo nslab up examples/${l}/lab.yaml`, `${l}: its README brings it up`);
    t.match(readme, `sudo nslab down examples/${l}/lab.yaml`, `${l}: and down`);
    t.match(readme, /docker /, `${l}: names the Docker command it mirrors`);
    t.match(readme, /Try breaking it/, `${l}: says what to try breaking`);
    t.match(index, `](${l}/)`, `${l}: in examples/README.md`);
  }
});

t.test('no two labs share a subnet, a network name or a container name: any of them can be up at once', async (t) => {
  const nets = labs.flatMap(({ lesson, lab }) => lab.networks.map((n) => ({ lesson, name: n.name, cidr: parseCidr4(n.subnet ?? '') })));
  t.same(nets.filter((n) => typeof n.cidr === 'string').map((n) => n.name), [], 'every network gives its subnet');
  const cidr = (n: (typeof nets)[number]) => n.cidr as Cidr4;
  for (const [i, a] of nets.entries()) {
    for (const b of nets.slice(i + 1)) {
      t.notOk(cidr(a).first <= cidr(b).last && cidr(b).first <= cidr(a).last, `${a.lesson}/${a.name} ${cidr(a).text} and ${b.lesson}/${b.name} ${cidr(b).text} do not overlap`);
      t.not(a.name, b.name, `network names: ${a.lesson} and ${b.lesson}`);
    }
  }
  const containers = labs.flatMap(({ lesson, lab }) => lab.containers.map((c) => `${c.name} (${lesson})`));
  const names = containers.map((c) => c.split(' ')[0]);
  t.same(containers.filter((_, i) => names.indexOf(names[i]) !== i), [], 'container names are unique across the labs');
});
