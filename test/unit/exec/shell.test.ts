import t from 'tap';
import { quote, toShell } from '../../../src/exec/shell.js';
import { ip, batchOf, batchKey } from '../../../src/exec/command.js';

t.test('quote leaves plain words, single-quotes the rest', async (t) => {
  t.equal(quote('br0'), 'br0');
  t.equal(quote('10.201.0.0/24'), '10.201.0.0/24');
  t.equal(quote('a b'), `'a b'`);
  t.equal(quote(`it's`), `'it'\\''s'`);
  t.equal(quote(''), `''`);
  t.equal(quote('$(reboot)'), `'$(reboot)'`);
});

t.test('ops print as pasteable shell', async (t) => {
  t.equal(toShell(ip(['link', 'set', 'lo', 'up'], { netns: 'c4' })), 'ip -n c4 link set lo up');
  t.equal(toShell({ kind: 'write', path: '/etc/netns/c4/hosts', content: 'x\n' }), `cat > /etc/netns/c4/hosts <<'EOF'\nx\nEOF`);
  t.equal(toShell({ kind: 'rm', path: '/etc/netns/c4' }), 'rm -rf /etc/netns/c4');
  const b = batchOf([ip(['netns', 'add', 'a']), ip(['netns', 'add', 'b'])]);
  t.equal(toShell(b), `ip -batch - <<'EOF'\nnetns add a\nnetns add b\nEOF`);
});

t.test('only mutating ip commands without stdin batch, keyed by namespace', async (t) => {
  t.equal(batchKey(ip(['link', 'add', 'x'])), '');
  t.equal(batchKey(ip(['addr', 'add', 'x'], { netns: 'c4' })), 'c4');
  t.equal(batchKey({ kind: 'cmd', file: 'sysctl', args: [], mutates: true }), undefined);
  t.equal(batchKey({ kind: 'mkdir', path: '/x' }), undefined);
  t.equal(batchKey(ip(['-6', 'addr', 'flush', 'dev', 'x'])), undefined, 'ip reads no option on a batch line');
});
