import t from 'tap';
import { allocate, checkStatic, ExhaustedError } from '../../../src/ipam/allocator.js';
import { parseCidr4, macForIp, type Cidr4 } from '../../../src/ipam/cidr.js';
import { pickSubnet } from '../../../src/ipam/pool.js';

const c = (s: string) => parseCidr4(s) as Cidr4;

t.test('parseCidr4', async (t) => {
  t.equal(c('10.201.0.0/24').prefix, 24);
  t.match(parseCidr4('10.201.0.1/24'), /host bits/);
  t.match(parseCidr4('10.201.0.0/33'), /prefix/);
  t.match(parseCidr4('10.201.0/24'), /not a valid/);
  t.match(parseCidr4('010.201.0.0/24'), /not a valid/);
  t.match(parseCidr4('garbage'), /CIDR/);
});

t.test('allocate skips network, gateway, broadcast, reserved and used', async (t) => {
  const subnet = c('10.0.0.0/29'); // .1-.6 usable
  const used = new Set<string>();
  const got: string[] = [];
  for (;;) {
    try {
      const ip = allocate({ subnet, reserved: new Set(['10.0.0.1', '10.0.0.3']), used });
      used.add(ip);
      got.push(ip);
    } catch (e) {
      t.ok(e instanceof ExhaustedError);
      t.match((e as Error).message, /address range exhausted/);
      break;
    }
  }
  t.same(got, ['10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
});

t.test('allocate honours ip-range over many allocations', async (t) => {
  const subnet = c('10.1.0.0/16');
  const range = c('10.1.5.0/24');
  const used = new Set<string>();
  for (let i = 0; i < 256; i++) {
    const ip = allocate({ subnet, range, reserved: new Set(['10.1.5.7']), used });
    t.ok(ip.startsWith('10.1.5.') && ip !== '10.1.5.7', ip) || t.end();
    used.add(ip);
    if (used.size === 255) break;
  }
  t.throws(() => allocate({ subnet, range, reserved: new Set(['10.1.5.7']), used }), ExhaustedError);
});

t.test('checkStatic', async (t) => {
  const req = { subnet: c('10.0.0.0/24'), reserved: new Set(['10.0.0.1']), used: new Set(['10.0.0.9']) };
  t.match(checkStatic(req, '10.0.1.1'), /outside/);
  t.match(checkStatic(req, '10.0.0.0'), /network address/);
  t.match(checkStatic(req, '10.0.0.255'), /broadcast/);
  t.match(checkStatic(req, '10.0.0.1'), /reserved/);
  t.match(checkStatic(req, '10.0.0.9'), /in use/);
  t.equal(checkStatic(req, '10.0.0.10'), undefined);
});

t.test('pickSubnet: Docker pools, skipping overlaps', async (t) => {
  t.equal(pickSubnet([])!.text, '172.17.0.0/16');
  t.equal(pickSubnet([c('172.17.5.0/24'), c('172.18.0.0/16')])!.text, '172.19.0.0/16');
  const all172 = Array.from({ length: 15 }, (_, i) => c(`172.${17 + i}.0.0/16`));
  t.equal(pickSubnet([...all172, c('192.168.0.0/24')])!.text, '192.168.16.0/20');
});

t.equal(macForIp('10.201.0.4'), '02:42:0a:c9:00:04');
