// The round-robin lesson in a sandbox (formerly examples/dns): three containers share an alias;
// nslabd's DNS answers all three, each first in turn; names under nslab.internal and their reverse.
import t from 'tap';
import { sandbox } from '../../test/helpers/sandbox.js';
import { exampleLab, proveExample } from '../../test/helpers/example-lab.js';

const sb = await sandbox('edr');
t.teardown(() => sb.down());
await sb.startDaemon();
const lab = exampleLab(sb, 'round-robin');
const asker = sb.name('asker');
const SEARCH = ['10.205.0.11', '10.205.0.12', '10.205.0.13'];
/** `dig +short` inside asker, through the resolv.conf nslab wrote (the gateway first). */
const dig = async (...q: string[]) => (await sb.exec(asker, ['dig', '+tries=1', '+time=2', '+short', ...q])).stdout.trim().split('\n');

await proveExample(t, sb, lab, {
  prove: async (t) => {
    t.match((await sb.exec(asker, ['cat', '/etc/resolv.conf'])).stdout, /\nnameserver 10\.205\.0\.1\n[^]*\noptions ndots:1$/, 'the gateway first, ndots:1');
    const firsts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const got = await dig('search');
      t.same([...got].sort(), SEARCH, `query ${i + 1}: all three addresses`);
      firsts.push(got[0]!);
    }
    t.same([...firsts].sort(), SEARCH, `each one first in turn (${firsts.join(', ')})`);
    t.match((await sb.exec(asker, ['getent', 'hosts', `${sb.name('search1')}.nslab.internal`])).stdout, /^10\.205\.0\.11\s/);
    t.same(await dig('-x', '10.205.0.12'), [`${sb.name('search2')}.nslab.internal.`], 'the reverse of an address names its container');
  },
});
