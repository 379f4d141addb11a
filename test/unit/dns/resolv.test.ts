// The resolv.conf of a container on an nslab network: the gateway first, fallbacks, search, options.
import t from 'tap';
import { resolvOf } from '../../../src/engine/plan-container.js';
import type { ContainerRecord } from '../../../src/state/types.js';

const host = { nameservers: ['192.0.2.53', '192.0.2.54', '192.0.2.55'], search: ['example.test'], options: ['edns0'] };
const c = (extra: Partial<ContainerRecord> = {}): ContainerRecord => ({
  name: 'c', id: 'c', mode: 'network', status: 'ready', hostname: 'c', dns: [], dnsSearch: [], addHosts: [], request: {}, created: '',
  endpoints: [{ network: 'lab', ifname: 'eth0', hostVeth: 'v', mac: '02:42:00:00:00:00', aliases: [], addresses: [{ ip: '10.201.0.2', prefix: 24, gateway: '10.201.0.1' }] }],
  ...extra,
});

t.test("on a network: the gateway, then the host's resolvers, three at most; the host's search plus nslab.internal", async (t) => {
  t.same(resolvOf(c(), host), { nameservers: ['10.201.0.1', '192.0.2.53', '192.0.2.54'], search: ['example.test', 'nslab.internal'], options: ['edns0'] });
});

t.test('--dns, --dns-search and --dns-option as given, after the gateway', async (t) => {
  t.same(resolvOf(c({ dns: ['198.51.100.2'], dnsSearch: ['lab.test'], dnsOptions: ['ndots:2'] }), host),
    { nameservers: ['10.201.0.1', '198.51.100.2'], search: ['lab.test'], options: ['ndots:2'] });
  t.same(resolvOf(c({ dns: ['10.201.0.1'] }), host).nameservers, ['10.201.0.1'], 'the gateway given as --dns is not written twice');
  t.same(resolvOf(c({ dns: ['198.51.100.2'] }), host).options, [], "--dns without --dns-option: none of the host's options");
});

t.test('host and none containers keep the host resolvers (no gateway, no nslab domain)', async (t) => {
  t.same(resolvOf(c({ mode: 'host', endpoints: [] }), host), host);
  t.same(resolvOf(c({ mode: 'none', endpoints: [], dns: ['198.51.100.2'] }), host), { nameservers: ['198.51.100.2'], search: ['example.test'], options: [] });
});
