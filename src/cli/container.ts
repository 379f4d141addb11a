// `nslab container …` (and `run`): create, ls, inspect, rm; and `nslab exec`.
import type { Command } from 'commander';
import { NotFoundError, ValidationError } from '../errors.js';
import { shellLine } from '../exec/shell.js';
import { cidrOf, primaryAddress } from '../state/families.js';
import type { ContainerRecord, State } from '../state/types.js';
import type { Cli } from './context.js';
import { json, printRemoved, table } from './context.js';
import { formatOf, inspected, listed } from './format.js';
import { containerView, endpointLink, endpointWhere } from '../model/views.js';
import { networkModeOf } from '../engine/inputs.js';

const collect = (v: string, acc: string[]) => [...acc, v];

export function summary(c: ContainerRecord, state: State): string {
  return endpointsSummary(c, state) + (c.ports?.length ? `container ${c.name}: publishes ${c.ports.map((p) => `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ')}\n` : '');
}

function endpointsSummary(c: ContainerRecord, state: State): string {
  if (c.mode === 'host') return `container ${c.name}: the host's own network namespace, named ${c.name} (ip netns exec ${c.name} … sees the host's links)\n`;
  if (c.mode === 'container') return `container ${c.name}: shares the network namespace of ${c.shares} (same interfaces, addresses and MACs)\n`;
  if (!c.endpoints.length) return `container ${c.name}: its own network namespace with only lo\n`;
  return c.endpoints
    .map((e) => `container ${c.name}: ${e.ifname} ${cidrOf(primaryAddress(e))} mac ${e.mac} via ${primaryAddress(e).gateway}; ${endpointWhere(e, state)} (network ${e.network})\n`)
    .join('');
}

/** The container's name: the argument or Docker's `--name` (the same one twice is fine). */
function nameOf(arg: string | undefined, flag: string | undefined): string {
  if (arg !== undefined && flag !== undefined && arg !== flag) throw new ValidationError('name', `given twice, "${arg}" and --name "${flag}": give one`);
  const name = arg ?? flag;
  if (name === undefined) throw new ValidationError('name', 'give the container a name: nslab run NAME, or --name NAME as in Docker');
  return name;
}

function addCreate(cmd: Command, cli: () => Promise<Cli>, example: string): void {
  cmd
    .argument('[name]', 'container (network namespace) name (or --name)')
    .option('--name <name>', 'same as the name argument (Docker\'s spelling)')
    .option('--network <net>', 'a network (repeatable: the first holds the default route; default: bridge), or host, none, container:OTHER', collect, [])
    .option('--net <net>', 'same as --network', collect, [])
    .option('--ip <ip>', 'IPv4 address (default: allocated from the subnet)')
    .option('--mac <mac>', 'MAC address of eth0 (default: 02:42 + the IPv4 bytes)')
    .option('--mac-address <mac>', 'same as --mac')
    .option('-p, --publish <spec>', 'publish a port: [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp] (repeatable)', collect, [])
    .option('--dns <ip>', 'nameserver for resolv.conf (repeatable; default: the host resolvers)', collect, [])
    .option('--dns-search <domain>', 'search domain (repeatable)', collect, [])
    .option('--dns-option <option>', 'resolv.conf option, like ndots:2 (repeatable)', collect, [])
    .option('--hostname <name>', 'host name written to /etc/netns/NAME/hosts')
    .option('--alias <name>', 'extra name for the container (repeatable)', collect, [])
    .option('--network-alias <name>', 'same as --alias', collect, [])
    .option('--link <other[:alias]>', 'legacy link: OTHER by ALIAS (default: its name) in the hosts file; OTHER must share a network (repeatable)', collect, [])
    .option('--add-host <name:ip>', 'extra hosts entry (repeatable)', collect, [])
    .addHelpText('after', `\nExample:\n  ${example}`)
    .action(async (arg: string | undefined, o) => {
      const name = nameOf(arg, o.name);
      if (o.mac !== undefined && o.macAddress !== undefined && o.mac !== o.macAddress) throw new ValidationError('mac', `given twice, "${o.mac}" and --mac-address "${o.macAddress}": give one`);
      const c = await cli();
      const [rec] = await c.engine.createContainers([{
        name, networks: [...o.network, ...o.net].length ? [...o.network, ...o.net] : undefined, ip: o.ip, mac: o.mac ?? o.macAddress, dns: o.dns.length ? o.dns : undefined,
        dnsSearch: o.dnsSearch.length ? o.dnsSearch : undefined, ...(o.dnsOption.length ? { dnsOptions: o.dnsOption } : {}), hostname: o.hostname, aliases: [...o.alias, ...o.networkAlias], links: o.link, addHosts: o.addHost,
        ...(o.publish.length ? { ports: o.publish } : {}),
      }]);
      if (c.opts.dryRun) return;
      const state = await c.engine.readState();
      c.out(c.opts.json ? json(containerView(rec!, state)) : summary(rec!, state));
    });
}

export function containerCommands(program: Command, cli: () => Promise<Cli>): void {
  const ctr = program.command('container').description('manage containers (network namespaces with a veth on a network)')
    .addHelpText('after', '\nExample:\n  nslab container ls -q');
  addCreate(ctr.command('create').description('create a container: netns, veth pair, address, route, resolv.conf, hosts'), cli,
    'sudo nslab container create c1 --network lab --ip 10.201.0.2 --alias web');
  addCreate(program.command('run').description('same as container create (Docker\'s word)'), cli, 'sudo nslab run --name c1 --net lab --network-alias web');

  ctr.command('ls').alias('list').description('list containers')
    .option('-q, --quiet', 'only the names, one a line')
    .option('--format <format>', "table (default), json, or a template over inspect's fields: '{{.Name}} {{.NetworkSettings.SandboxKey}}'")
    .addHelpText('after', "\nExample:\n  nslab container ls --format '{{.Name}}\\t{{json .NetworkSettings.Networks}}'")
    .action(async (o: { quiet?: boolean; format?: string }) => {
      const c = await cli();
      const f = formatOf(o, c.opts.json, 'table'); // a bad --format is refused before the records are read
      const state = await c.engine.readState();
      c.out(listed(f, state.containers, (x) => containerView(x, state), (all) =>
        table(['CONTAINER ID', 'NAME', 'NETWORK', 'IP', 'MAC', 'HOST VETH', 'STATUS'], all.map((x) => {
          const e = x.endpoints[0];
          const net = x.mode === 'network' && x.endpoints.length ? x.endpoints.map((p) => p.network).join(',') : networkModeOf(x);
          return [x.id.slice(0, 12), x.name, net, e ? cidrOf(primaryAddress(e)) : '-', e?.mac ?? '-', e ? endpointLink(e, state) : '-', x.status];
        }))));
    });

  ctr.command('inspect <names...>').description('show containers as JSON')
    .option('-f, --format <format>', "json (default) or a template over the fields: '{{.NetworkSettings.SandboxKey}}'")
    .addHelpText('after', "\nExample:\n  nslab container inspect c1 -f '{{.NetworkSettings.Networks.lab.IPAddress}}'")
    .action(async (names: string[], o: { format?: string }) => {
      const c = await cli();
      const state = await c.engine.readState();
      c.out(inspected(o, 'container', names, state.containers, (x) => containerView(x, state)));
    });

  ctr.command('rm <names...>').alias('remove').description('remove containers (absent ones are fine)')
    .option('-f, --force', 'remove even a container whose namespace others share (they are left with only lo)')
    .addHelpText('after', '\nExample:\n  sudo nslab container rm c1 c2')
    .action(async (names: string[], o: { force?: boolean }) => {
      const c = await cli();
      const removed = await c.engine.removeContainers(names, !!o.force);
      printRemoved(c, removed);
    });

  program.command('exec <name> <cmd...>').description('run a command inside a container: nslab exec NAME -- CMD [ARG...]')
    .passThroughOptions()
    .addHelpText('after', '\nExample:\n  sudo nslab exec c1 -- ip -br addr')
    .action(async (name: string, argv: string[]) => {
      const cmd = argv[0] === '--' ? argv.slice(1) : argv;
      if (!cmd.length) throw new ValidationError('command', 'give the command to run after --');
      const c = await cli();
      const state = await c.engine.readState();
      if (!state.containers[name]) throw new NotFoundError(`container: no such container "${name}"`);
      const run = ['netns', 'exec', name, ...cmd];
      if (c.opts.dryRun) return c.out(`${shellLine(['ip', ...run])}\n`);
      const { execa } = await import('execa');
      const r = await execa('ip', run, { stdio: 'inherit', reject: false });
      process.exitCode = typeof r.exitCode === 'number' ? r.exitCode : 1;
    });
}
