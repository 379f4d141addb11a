// Engine.plan on a fake host: + before up, nothing after, ~ for a hand's change that up then mends,
// a refusal for other settings; plan itself runs no change. planText prints terraform's way.
import t from 'tap';
import { lab } from '../../helpers/engine-lab.js';
import { planText, CHANGES_PENDING } from '../../../src/cli/lab.js';
import type { ContainerInput, NetworkInput } from '../../../src/engine/inputs.js';

const nets: NetworkInput[] = [{ name: 'pln', subnet: '10.201.0.0/24', bridge: 'plbr0' }];
const ctrs: ContainerInput[] = [{ name: 'pl-a', network: 'pln', ip: '10.201.0.4', ports: ['8080:80'] }, { name: 'pl-b', network: 'pln' }];

t.test('plan: + with the objects up makes, nothing run; after up no changes; a route deleted by hand is ~, and up mends it', async (t) => {
  const l = lab({ ipForward: '1' });
  const first = await l.engine.plan(nets, ctrs);
  t.same(first, [
    { action: '+', kind: 'network', name: 'pln', what: 'bridge plbr0, subnet 10.201.0.0/24, gateway 10.201.0.1 on it, MASQUERADE for 10.201.0.0/24' },
    { action: '+', kind: 'container', name: 'pl-a', what: 'namespace pl-a; veth nv-pl-a-0 ↔ eth0 10.201.0.4/24 on pln, default route via 10.201.0.1; publishing 0.0.0.0:8080/tcp → 80' },
    { action: '+', kind: 'container', name: 'pl-b', what: 'namespace pl-b; veth nv-pl-b-0 ↔ eth0 10.201.0.2/24 on pln, default route via 10.201.0.1' },
  ]);
  t.same(l.lines(), [], 'plan ran no change');
  t.equal(l.stateText(), undefined, 'and wrote no record');

  await l.engine.up(nets, ctrs);
  t.same(await l.engine.plan(nets, ctrs), [], 'after up: nothing to do');

  l.host.ip('route del default', 'pl-b');
  l.reset();
  t.same(await l.engine.plan(nets, ctrs), [{ action: '~', kind: 'container', name: 'pl-b', what: 'default route via 10.201.0.1 dev eth0 is missing' }]);
  t.same(l.lines(), [], 'plan still ran no change');
  await l.engine.up(nets, ctrs);
  t.same(l.lines(), ['ip -n pl-b route add default via 10.201.0.1 dev eth0'], 'up mends exactly that');
  t.same(await l.engine.plan(nets, ctrs), []);

  l.host.ip('link set plbr0 down');
  t.same(await l.engine.plan(nets, [ctrs[0]!]), [{ action: '~', kind: 'network', name: 'pln', what: 'bridge plbr0 is down' }], 'a network\'s drift, and only the file\'s objects');
});

t.test('plan: settings that differ from the record are what up refuses', async (t) => {
  const l = lab({ ipForward: '1' });
  await l.engine.up(nets, ctrs);
  const items = await l.engine.plan([{ ...nets[0]!, subnet: '10.201.1.0/24' }], [{ ...ctrs[0]!, ip: '10.201.0.9' }]);
  t.match(items, [
    { action: '~', kind: 'network', name: 'pln', refused: /^network pln already exists with other settings \(subnet, gateway\)$/ },
    { action: '~', kind: 'container', name: 'pl-a', refused: /^container pl-a already exists with other settings \(ip\)$/ },
  ]);
});

t.test('planText: one line per object, then the summary; or no changes', async (t) => {
  t.equal(planText([], 'lab.yaml'), 'No changes. The kernel matches lab.yaml.\n');
  t.equal(planText([
    { action: '+', kind: 'network', name: 'lab', what: 'bridge br0' },
    { action: '~', kind: 'container', name: 'c4', what: 'default route via 10.201.0.1 dev eth0 is missing' },
    { action: '~', kind: 'container', name: 'c5', what: 'its settings differ', refused: 'container c5 already exists with other settings (ip)' },
  ], 'lab.yaml'), [
    '+ network lab: bridge br0',
    '~ container c4: default route via 10.201.0.1 dev eth0 is missing',
    '~ container c5: its settings differ (up refuses: container c5 already exists with other settings (ip))',
    '',
    'Plan: 1 to add, 2 to change, 0 to remove. `up` would refuse as it stands: see "up refuses".',
    '',
  ].join('\n'));
  t.equal(CHANGES_PENDING, 3, 'not 2, which is refused input');
});
