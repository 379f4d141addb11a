// The DNS example lab, as its comments say to try it: up with nslabd running, then each command.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sandbox } from '../../test/helpers/sandbox.js';

const sb = await sandbox('dnd');
t.teardown(() => sb.down());
const text = readFileSync(join(ROOT, 'examples', 'dns', 'lab.yaml'), 'utf8');
// The lab's names, made this sandbox's own: namespaces and /etc/netns are machine-wide.
const own = (s: string) => s.replace(/\b(web1|web2|client)\b/g, (n) => sb.name(n));

t.test('nslab up, then the lookups its comments show', async (t) => {
  await sb.startDaemon();
  const lab = join(sb.stateDir, 'lab.yaml');
  writeFileSync(lab, own(text));
  const up = await sb.cli(['up', lab]);
  t.equal(up.code, 0, up.stderr);
  const client = sb.name('client');
  const dig = async (...q: string[]) => (await sb.exec(client, ['dig', '+tries=1', '+time=2', '+short', ...q])).stdout.trim().split('\n');
  const firsts = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const got = await dig('web');
    t.same([...got].sort(), ['10.205.0.11', '10.205.0.12'], 'web: both addresses');
    firsts.add(got[0]!);
  }
  t.equal(firsts.size, 2, 'the first one rotates');
  t.match((await sb.exec(client, ['getent', 'hosts', `${sb.name('web1')}.nslab.internal`])).stdout, /^10\.205\.0\.11\s/);
  t.same(await dig('-x', '10.205.0.12'), [`${sb.name('web2')}.nslab.internal.`]);
  t.match((await sb.exec(client, ['cat', '/etc/resolv.conf'])).stdout, /\nnameserver 10\.205\.0\.1\n[^]*\noptions ndots:1$/);
  t.equal((await sb.cli(['down', lab])).code, 0);
});
