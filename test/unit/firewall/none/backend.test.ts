// The none backend: the user manages the firewall, so nslab plans, reports and reads nothing.
import t from 'tap';
import { NoFirewall } from '../../../../src/firewall/none/backend.js';
import { FakeRunner } from '../../../helpers/fake-runner.js';

t.test('every ensure and remove is empty, nothing is missing or orphaned, nothing is run', async (t) => {
  const fw = new NoFirewall();
  const runner = new FakeRunner({}, () => ({ exitCode: 1, stderr: 'no process may run' }));
  const view = await fw.observe();
  const n = { name: 'lab', iface: 'br0', subnet: '10.201.0.0/24', masquerade: true, icc: false, internal: false };
  t.same([fw.ensureNetwork(view, n), fw.removeNetwork(view, n), fw.removeShared(view)], [[], [], []]);
  t.same(fw.orphans(view, () => false), { removed: [], commands: [], lookalikes: [] });
  t.equal(fw.rulesOf(view, 'lab'), undefined);
  t.equal(fw.needsBridgeNetfilter(n), false, 'no ICC rule of its own to enforce');
  t.equal(fw.manages, false);
  t.same(runner.ran, []);
});
