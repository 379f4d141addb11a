// What --dry-run prints is a script a person can paste: one header per step, and `exec` quoted as a shell needs.
import t from 'tap';
import { execa } from 'execa';
import { sandbox } from '../helpers/sandbox.js';

const sb = await sandbox('hsd');
t.teardown(() => sb.down());
const c1 = sb.name('c1'), c2 = sb.name('c2');

t.test('container create: the /etc/netns files under one header', async (t) => {
  t.equal((await sb.cli(['network', 'create', 'lab', '--subnet', '10.207.0.0/24'])).code, 0);
  const r = await sb.cli(['--dry-run', 'container', 'create', c2, '--network', 'lab']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  const header = `# write /etc/netns/${c2}/resolv.conf and hosts`;
  t.equal(lines.filter((l) => l === header).length, 1, 'the header once');
  const at = lines.indexOf(header);
  t.equal(lines[at + 1], `mkdir -p /etc/netns/${c2}`, 'over the directory');
  const files = lines.slice(at + 1).filter((l) => l.startsWith('cat > '));
  t.same(files.slice(0, 2), [`cat > /etc/netns/${c2}/resolv.conf <<'EOF'`, `cat > /etc/netns/${c2}/hosts <<'EOF'`], 'and both files');
  // The headers: comment lines outside the heredocs (a file's body starts with nslab's marker).
  let inside = false;
  const headers = lines.filter((l) => {
    if (inside) inside = l !== 'EOF';
    else if (l.endsWith(`<<'EOF'`)) inside = true;
    else return l.startsWith('# ');
    return false;
  });
  t.ok(headers.length >= 3, `${headers.length} headers`);
  t.same(headers, [...new Set(headers)], 'no header repeated anywhere in the script');
});

t.test('exec --dry-run: the words quoted, so pasting runs the same argv', async (t) => {
  t.equal((await sb.cli(['container', 'create', c1, '--network', 'lab'])).code, 0);
  const argv = ['sh', '-c', 'echo "$0|$1|$2"', 'a b', `it's`, '$(id) *'];
  const r = await sb.cli(['--dry-run', 'exec', c1, '--', ...argv]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, `ip netns exec ${c1} sh -c 'echo "$0|$1|$2"' 'a b' 'it'\\''s' '$(id) *'`);
  // The printed line, run by a shell inside the sandbox's host, does what exec itself does.
  const pasted = await execa('ip', ['netns', 'exec', sb.host, 'sh', '-c', r.stdout], { reject: false });
  const direct = await sb.cli(['exec', c1, '--', ...argv]);
  t.equal(pasted.exitCode, 0, String(pasted.stderr));
  t.equal(direct.code, 0, direct.stderr);
  t.equal(pasted.stdout, direct.stdout.trimEnd(), 'the same output as exec');
  t.equal(pasted.stdout, `a b|it's|$(id) *`, 'each argument arrived whole, nothing expanded');
});
