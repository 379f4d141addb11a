// Runs after every other test file: nothing the suite made may be left on this machine.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { execa } from 'execa';

const ours = (n: string) => /^nslt-/.test(n) || /^nslb-/.test(n);
const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
t.same(netns.filter(ours), [], 'no sandbox namespaces left');
const tags = ['sd', 'va', 'fi', 'fw', 'cl', 'pv', 'nb'];
t.same(netns.filter((n) => tags.some((g) => n.startsWith(g))), [], 'no test containers left');
const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns') : [];
t.same(etc.filter((n) => tags.some((g) => n.startsWith(g)) || n.startsWith('container')), [], 'no /etc/netns entries left');
const links = JSON.parse((await execa('ip', ['-json', 'link', 'show'])).stdout) as Array<{ ifname: string; ifalias?: string }>;
t.same(links.filter((l) => l.ifname.startsWith('nv-') || l.ifname.startsWith('nslab') || l.ifalias?.startsWith('nslab:')).map((l) => l.ifname), [],
  'no nslab links in the root namespace');
