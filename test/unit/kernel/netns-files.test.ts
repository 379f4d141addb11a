// The one path builder for /etc/netns, and the ownership test that never reads through a link.
import t from 'tap';
import { etcDir, hostsText, isOurs, netnsOwner } from '../../../src/kernel/netns-files.js';
import { useLab } from '../../../src/state/lab-id.js';

useLab(() => '0a1b2c3d');

t.test('etcDir: valid names give a path directly inside /etc/netns', async (t) => {
  t.equal(etcDir('c4'), '/etc/netns/c4');
  t.equal(etcDir('web_1.x-y'), '/etc/netns/web_1.x-y');
  t.equal(etcDir('c4', 'resolv.conf'), '/etc/netns/c4/resolv.conf');
  t.equal(etcDir('c4', 'hosts'), '/etc/netns/c4/hosts');
});

t.test('etcDir: anything that could leave /etc/netns throws', async (t) => {
  for (const bad of ['..', '.', '', '../../tmp/x', 'a/b', '/etc', '-x', '.hidden', 'a\nb', 'a b', '..\\x']) {
    t.throws(() => etcDir(bad), { name: 'ValidationError' }, JSON.stringify(bad));
  }
  t.throws(() => etcDir(undefined as never), { name: 'ValidationError' }, 'not a string');
});

t.test('isOurs: the marker, read through the injected reader; never for a link or a bad name', async (t) => {
  const mine = hostsText('c4', []);
  t.ok(isOurs('c4', (_c, f) => (f === 'hosts' ? mine : undefined)), 'a marked hosts file');
  t.notOk(isOurs('c4', () => 'symlink'), 'a link is no mark');
  t.notOk(isOurs('c4', () => undefined), 'missing files');
  t.notOk(isOurs('c5', () => mine), "another container's marker");
  t.notOk(isOurs('../x', () => mine), 'an invalid name is never ours (and nothing is read)');
  t.equal(netnsOwner('c4', () => mine), 'mine', "this lab's marker");
  t.equal(netnsOwner('c4', () => mine.replace(', lab 0a1b2c3d', ', lab ffffffff')), undefined, "another lab's marker");
});
