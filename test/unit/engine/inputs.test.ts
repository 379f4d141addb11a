import t from 'tap';
import { parseNetworkInput, parseContainerInput } from '../../../src/engine/inputs.js';
import { bridgeName, hostVethName } from '../../../src/engine/names.js';

t.test('network defaults and Docker -o options', async (t) => {
  const n = parseNetworkInput({ name: 'lab', options: ['com.docker.network.bridge.name=br9', 'com.docker.network.driver.mtu=1400', 'com.docker.network.bridge.enable_icc=false'] });
  t.equal(n.bridge, 'br9');
  t.equal(n.mtu, 1400);
  t.equal(n.icc, false);
  t.equal(n.masquerade, true);
  t.equal(parseNetworkInput({ name: 'x', internal: true }).masquerade, false, 'internal implies no MASQUERADE');
  t.throws(() => parseNetworkInput({ name: 'x', gateway: '10.0.0.1' }), /gateway: needs --subnet/);
  t.throws(() => parseNetworkInput({ name: 'x', driver: 'macvlan' }), /driver: .*not supported yet/);
  t.throws(() => parseNetworkInput({ name: 'x', subnet: '10.0.0.0/24', ipRange: '10.0.1.0/25' }), /ip-range: .*not inside/);
});

t.test('container names and fields', async (t) => {
  for (const bad of ['a/b', '..', '.', '-x', 'a b', 'a;b', 'x'.repeat(16), '']) {
    t.throws(() => parseContainerInput({ name: bad }), /^name: /, JSON.stringify(bad));
  }
  t.same(parseContainerInput({ name: 'c4' }).networks, ['bridge']);
  t.same(parseContainerInput({ name: 'c4', networks: ['a', 'b'] }).networks, ['a', 'b']);
  t.throws(() => parseContainerInput({ name: 'c4', networks: ['a', 'a'] }), /^network: network a is named twice/);
  t.throws(() => parseContainerInput({ name: 'c4', network: 'a', networks: ['b'] }), /^network: give network or networks/);
  t.equal(parseContainerInput({ name: 'c4', network: 'host' }).mode, 'host');
  t.same(parseContainerInput({ name: 'c4', network: 'none' }).networks, []);
  t.equal(parseContainerInput({ name: 'c4', network: 'container:c5' }).shares, 'c5');
  t.throws(() => parseContainerInput({ name: 'c4', network: 'container:c4' }), /cannot share its own/);
  t.throws(() => parseContainerInput({ name: 'c4', network: 'container:c5', dns: ['10.0.0.1'] }), /^dns: cannot be set with network mode container:c5/);
  t.throws(() => parseContainerInput({ name: 'c4', network: 'none', mac: '02:00:00:00:00:01' }), /^mac: /);
  t.throws(() => parseContainerInput({ name: 'c4', networks: ['a', 'host'] }), /mode host cannot be combined/);
  t.equal(parseContainerInput({ name: 'c4' }).hostname, 'c4');
  t.throws(() => parseContainerInput({ name: 'c4', addHosts: ['nocolon'] }), /add-host/);
  t.same(parseContainerInput({ name: 'c4', addHosts: ['gw:10.0.0.1'] }).addHosts, [{ name: 'gw', ip: '10.0.0.1' }]);
});

t.test('derived names fit in 15 characters', async (t) => {
  t.equal(bridgeName('bridge'), 'nslab0');
  t.equal(bridgeName('lab'), 'nslab-lab');
  t.match(bridgeName('averylongname'), /^nslab--[0-9a-f]{8}$/);
  t.equal(hostVethName('container4', 0), 'nv-container4-0');
  t.match(hostVethName('container4567', 0), /^nv--[0-9a-f]{9}-0$/);
  t.ok(hostVethName('abcdefghijklmno', 9).length <= 15);
});

t.test('firewall backend: absent means the engine default; a name it does not know is refused', async (t) => {
  t.equal(parseNetworkInput({ name: 'x' }).firewall, undefined);
  t.equal(parseNetworkInput({ name: 'x', firewall: 'none' }).firewall, 'none');
  t.throws(() => parseNetworkInput({ name: 'x', firewall: 'nftables' }), /^firewall-backend: must be one of iptables, none$/);
});
