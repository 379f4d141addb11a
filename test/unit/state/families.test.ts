// The address-family accessors over the records: what every reader of a subnet or address goes through.
import t from 'tap';
import { addressOf, cidrOf, familyOf, ipv4Subnet, primaryAddress, subnetOf } from '../../../src/state/families.js';

const v4 = { subnet: '10.1.0.0/24', gateway: '10.1.0.1', auxAddresses: {} };
const v6 = { subnet: 'fd00:1::/64', gateway: 'fd00:1::1', auxAddresses: {} };
const ep = (addresses: Array<{ ip: string; prefix: number; gateway?: string }>) => ({ network: 'lab', ifname: 'eth0', addresses });

t.test('the family is read from the text', async (t) => {
  t.equal(familyOf('10.1.0.2'), 4);
  t.equal(familyOf('10.1.0.0/24'), 4);
  t.equal(familyOf('fd00::2'), 6);
  t.equal(familyOf('fd00::/64'), 6);
});

t.test('a subnet or an address of a family, whatever the order of the list', async (t) => {
  const n = { name: 'lab', subnets: [v6, v4] };
  t.equal(subnetOf(n, 4), v4);
  t.equal(subnetOf(n, 6), v6);
  t.equal(ipv4Subnet(n), v4);
  t.equal(subnetOf({ subnets: [v4] }, 6), undefined, 'none of that family');
  const e = ep([{ ip: 'fd00:1::2', prefix: 64 }, { ip: '10.1.0.2', prefix: 24, gateway: '10.1.0.1' }]);
  t.same(primaryAddress(e), { ip: '10.1.0.2', prefix: 24, gateway: '10.1.0.1' }, 'the primary address is the IPv4 one');
  t.same(addressOf(e, 6), { ip: 'fd00:1::2', prefix: 64 });
  t.equal(cidrOf(primaryAddress(e)), '10.1.0.2/24');
});

t.test('a record without IPv4 is a bug (vetting drops such records): named, not undefined', async (t) => {
  t.throws(() => ipv4Subnet({ name: 'six', subnets: [v6] }), /network six has no IPv4 subnet/);
  t.throws(() => primaryAddress(ep([])), /eth0 on lab has no IPv4 address/);
});
