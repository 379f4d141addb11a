// `nslab network …`: create, ls, inspect, rm, prune.
import type { Command } from 'commander';
import { ipv4Subnet } from '../state/families.js';
import type { Cli } from './context.js';
import { json, printRemoved, table } from './context.js';
import { formatOf, inspected, listed } from './format.js';
import { summary } from './container.js';
import { attachedTo } from '../engine/networks.js';
import { networkLink, networkView, networkWhere } from '../model/views.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function networkCommands(program: Command, cli: () => Promise<Cli>): void {
  const net = program.command('network').description('manage networks (bridges with a subnet and NAT)')
    .addHelpText('after', '\nExample:\n  nslab network ls');
  const example = (text: string) => `\nExample:\n  ${text}`;

  net.command('create <name>')
    .description('create a network: a bridge with a gateway address, forwarding and MASQUERADE')
    .option('--driver <driver>', 'network driver', 'bridge')
    .option('--subnet <cidr>', 'IPv4 subnet (default: first free of 172.17-31.0.0/16, then 192.168.x.0/20)')
    .option('--gateway <ip>', 'gateway address on the bridge (default: first host)')
    .option('--ip-range <cidr>', 'allocate container addresses from this part of the subnet')
    .option('--aux-address <name=ip>', 'reserve an address (repeatable)', collect, [])
    .option('--bridge <ifname>', 'bridge interface name (default: nslab-NAME)')
    .option('--mtu <n>', 'MTU of the bridge and veths')
    .option('--internal', 'no MASQUERADE')
    .option('--no-masquerade', 'do not MASQUERADE traffic leaving the subnet')
    .option('--no-icc', 'block traffic between containers of this network')
    .option('-o, --opt <key=value>', "Docker's driver options (repeatable): com.docker.network.bridge.name, …bridge.enable_icc, …bridge.enable_ip_masquerade, com.docker.network.driver.mtu", collect, [])
    .addHelpText('after', example('sudo nslab network create lab --subnet 10.201.0.0/24 --ip-range 10.201.0.128/25 -o com.docker.network.driver.mtu=1400'))
    .action(async (name: string, o) => {
      const c = await cli();
      const n = await c.engine.createNetwork({
        name, driver: o.driver, subnet: o.subnet, gateway: o.gateway, ipRange: o.ipRange, auxAddress: o.auxAddress,
        bridge: o.bridge, mtu: o.mtu, internal: o.internal, masquerade: o.masquerade === false ? false : undefined,
        icc: o.icc === false ? false : undefined, options: o.opt,
      });
      if (c.opts.dryRun) return;
      const state = await c.engine.readState();
      c.out(c.opts.json ? json(networkView(n, state)) : `network ${n.name}: ${networkWhere(n)}, subnet ${ipv4Subnet(n).subnet}, gateway ${ipv4Subnet(n).gateway}\n`);
    });

  net.command('ls').alias('list').description('list networks')
    .option('-q, --quiet', 'only the names, one a line')
    .option('--format <format>', "table (default), json, or a template over inspect's fields: '{{.Name}} {{.Driver}}'")
    .addHelpText('after', example("nslab network ls --format '{{.Name}}\\t{{json .IPAM.Config}}'"))
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const c = await cli();
      const f = formatOf(o, c.opts.json, 'table'); // a bad --format is refused before the records are read
      const state = await c.engine.readState();
      c.out(listed(f, state.networks, (n) => networkView(n, state), (nets) =>
        table(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE', 'BRIDGE', 'SUBNET', 'GATEWAY'],
          nets.map((n) => [n.id.slice(0, 12), n.name, n.driver, 'local', networkLink(n), ipv4Subnet(n).subnet, ipv4Subnet(n).gateway]))));
    });

  net.command('inspect <names...>').description('show networks as JSON')
    .option('-f, --format <format>', "json (default) or a template over the fields: '{{.IPAM.Config}}'")
    .addHelpText('after', example("nslab network inspect lab -f '{{json .Containers}}'"))
    .action(async (names: string[], o: { format?: string }) => {
      const c = await cli();
      const state = await c.engine.readState();
      c.out(inspected(o, 'network', names, state.networks, (n) => networkView(n, state)));
    });

  net.command('rm <names...>').alias('remove').description('remove networks (absent ones are fine; refused while containers are attached)')
    .option('-f, --force', 'disconnect attached containers first')
    .addHelpText('after', example('sudo nslab network rm lab --force'))
    .action(async (names: string[], o: { force?: boolean }) => {
      const c = await cli();
      const removed = await c.engine.removeNetworks(names, !!o.force);
      printRemoved(c, removed);
    });

  net.command('connect <network> <container>').description('attach a container to one more network (the next free ethN inside)')
    .option('--ip <ip>', 'IPv4 address (default: allocated)')
    .option('--alias <name>', 'extra name on this network (repeatable)', collect, [])
    .option('--network-alias <name>', 'same as --alias', collect, [])
    .addHelpText('after', example('sudo nslab network connect other c1 --ip 10.202.0.5 --alias db'))
    .action(async (network: string, container: string, o: { ip?: string; alias: string[]; networkAlias: string[] }) => {
      const c = await cli();
      const e = await c.engine.connect(network, container, { ip: o.ip, aliases: [...o.alias, ...o.networkAlias] });
      if (c.opts.dryRun) return;
      const state = await c.engine.readState();
      c.out(c.opts.json ? json(e) : summary({ ...state.containers[container]!, endpoints: [e] }, state));
    });

  net.command('disconnect <network> <container>').description('detach a container from a network (removes exactly that ethN)')
    .option('-f, --force', 'accepted for Docker compatibility')
    .addHelpText('after', example('sudo nslab network disconnect other c1'))
    .action(async (network: string, container: string) => {
      const c = await cli();
      const done = await c.engine.disconnect(network, container);
      if (!c.opts.dryRun) c.out(c.opts.json ? json({ disconnected: done }) : done ? `container ${container}: disconnected from ${network}\n` : `container ${container} was not connected to ${network}\n`);
    });

  net.command('prune').description('remove networks that have no containers').addHelpText('after', example('sudo nslab network prune')).action(async () => {
    const c = await cli();
    const state = await c.engine.readState();
    const removed = await c.engine.removeNetworks(Object.keys(state.networks).filter((n) => !attachedTo(state, n).length));
    printRemoved(c, removed);
  });
}
