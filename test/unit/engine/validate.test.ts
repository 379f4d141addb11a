// Validators of issue 9: MACs an interface cannot have, special address blocks, mode names.
import t from 'tap';
import { ValidationError } from '../../../src/errors.js';
import { checkCidr, checkHostIp, checkMac, checkNetworkName, checkUnicastIp } from '../../../src/engine/validate.js';
import { parseCidr4, type Cidr4 } from '../../../src/ipam/cidr.js';

const refuses = (t: Tap.Test, fn: () => unknown, field: string, msg: RegExp) => {
  try {
    fn();
    t.fail('accepted');
  } catch (e) {
    t.ok(e instanceof ValidationError, 'a ValidationError (exit 2)');
    t.equal((e as ValidationError).field, field);
    t.match((e as Error).message, msg);
  }
};

t.test('MACs', async (t) => {
  refuses(t, () => checkMac('mac', '00:00:00:00:00:00'), 'mac', /all-zero/);
  refuses(t, () => checkMac('mac', 'FF:FF:FF:FF:FF:FF'), 'mac', /broadcast/);
  refuses(t, () => checkMac('mac', '01:00:5e:00:00:01'), 'mac', /multicast/);
  refuses(t, () => checkMac('mac', '33:33:00:00:00:01'), 'mac', /multicast/);
  t.equal(checkMac('mac', '02:42:0A:C9:00:04'), '02:42:0a:c9:00:04');
});

t.test('special blocks', async (t) => {
  for (const c of ['0.0.0.0/8', '127.0.0.0/24', '169.254.0.0/16', '169.254.1.0/24', '224.0.0.0/24', '239.1.0.0/16', '240.0.0.0/8', '255.255.255.0/24', '126.0.0.0/7']) {
    refuses(t, () => checkCidr('subnet', c), 'subnet', /block, which no network can use/);
  }
  for (const ip of ['0.0.0.1', '127.0.0.2', '169.254.169.254', '224.0.0.1', '250.0.0.1', '255.255.255.255']) {
    refuses(t, () => checkUnicastIp('ip', ip), 'ip', /block/);
  }
  t.equal(checkCidr('subnet', '10.201.0.0/24').text, '10.201.0.0/24');
  t.equal(checkCidr('subnet', '1.0.0.0/8').text, '1.0.0.0/8');
  t.equal(checkCidr('subnet', '223.255.255.0/24').text, '223.255.255.0/24');
  t.equal(checkUnicastIp('ip', '10.0.0.1'), '10.0.0.1');
  const sub = parseCidr4('10.201.0.0/24') as Cidr4;
  t.equal(checkHostIp('gateway', '10.201.0.1', sub), '10.201.0.1');
});

t.test('network names that are network modes', async (t) => {
  for (const n of ['host', 'none', 'default', 'container:x', 'container:']) {
    refuses(t, () => checkNetworkName('name', n), 'name', /is a network mode/);
  }
  t.equal(checkNetworkName('name', 'hosts'), 'hosts');
  t.equal(checkNetworkName('name', 'bridge'), 'bridge');
});
