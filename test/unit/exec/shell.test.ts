import t from 'tap';
import { execFileSync } from 'node:child_process';
import { quote, shellLine, toShell } from '../../../src/exec/shell.js';
import { ip, batchOf, batchKey } from '../../../src/exec/command.js';

t.test('quote leaves plain words, single-quotes the rest', async (t) => {
  t.equal(quote('br0'), 'br0');
  t.equal(quote('10.201.0.0/24'), '10.201.0.0/24');
  t.equal(quote('a b'), `'a b'`);
  t.equal(quote(`it's`), `'it'\\''s'`);
  t.equal(quote(''), `''`);
  t.equal(quote('$(reboot)'), `'$(reboot)'`);
});

t.test('shellLine: pasted into sh, the line runs exactly the argv it came from', async (t) => {
  const argv = ['sh', '-c', 'echo "$HOME" > /tmp/x; ls *', 'a b', `it's`, '', '$(reboot)', '`id`', '~', '#c', 'x;y', 'a\nb', '!', '{a,b}', 'plain-1.2/3:4=5'];
  const line = shellLine(['ip', 'netns', 'exec', 'c4', ...argv]);
  t.equal(line.split(' ').slice(0, 5).join(' '), 'ip netns exec c4 sh', 'plain words stay as typed');
  t.match(line, ` -c 'echo "$HOME" > /tmp/x; ls *' 'a b' 'it'\\''s' '' '$(reboot)' `);
  // sh itself parses the line: printf shows each word it got back, one per line, bracketed.
  const echoed = execFileSync('sh', ['-c', `printf '[%s]\\n' ${shellLine(argv)}`], { encoding: 'utf8' });
  t.equal(echoed, argv.map((a) => `[${a}]\n`).join(''));
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
