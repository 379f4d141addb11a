// The lab file as JSON Schema (docs/lab.schema.json), made from the zod input schemas the CLI and
// nslabd check with, in the file's own key names, so that editors complete and check lab files.
import * as z from 'zod/mini';
import { DRIVER_NAMES } from '../drivers/registry.js';
import { IFNAMSIZ } from '../engine/names.js';
import { NAME } from '../engine/validate.js';
import { FIREWALL_BACKENDS } from '../firewall/registry.js';
import { containerInput, networkInput } from '../model/schemas.js';
import { CTR_KEYS, LISTS, NET_KEYS } from './entries.js';

type Json = Record<string, unknown>;

/** What each key means, with the flag it mirrors (SPEC §6: keys mirror the flags). */
const NET_TEXT: Record<string, string> = {
  driver: `The network driver (--driver): ${DRIVER_NAMES.join(', ')}. Default: bridge.`,
  subnet: 'The IPv4 subnet in CIDR form (--subnet), like 10.201.0.0/24. Default: the first free of the default pools (172.17.0.0/16 …).',
  gateway: "The gateway address, given to the bridge (--gateway). Default: the subnet's first address.",
  'ip-range': 'Containers without an ip get addresses from this range only (--ip-range), inside the subnet.',
  'aux-address': 'NAME=IP addresses that are never handed out (--aux-address).',
  bridge: `The bridge's interface name (--bridge), at most ${IFNAMSIZ} characters. Default: derived from the network's name.`,
  mtu: 'The MTU of the bridge and the veths (--mtu), 68 to 65535. Default: 1500.',
  internal: 'No way out of the subnet: no NAT, no default route in the containers (--internal). Default: false.',
  masquerade: 'MASQUERADE the traffic leaving the subnet (false: --no-masquerade). Default: true unless internal.',
  icc: 'Containers of the network may talk to each other (false: --no-icc). Default: true.',
  opt: "Docker's -o KEY=VALUE: com.docker.network.bridge.name, com.docker.network.bridge.enable_icc, com.docker.network.bridge.enable_ip_masquerade, com.docker.network.driver.mtu.",
};
const CTR_TEXT: Record<string, string> = {
  network: 'A network name, or a mode: host, none, container:OTHER (--network). Default: the network named bridge.',
  networks: 'Several networks (repeated --network); the first one holds the default route. Give network or networks, not both.',
  ip: 'The address on the first network (--ip). Default: the first free one of its range.',
  mac: "The MAC address on the first network (--mac), like 02:42:0a:c9:00:04. Default: Docker's scheme, 02:42 and the ip.",
  dns: 'Nameservers of its resolv.conf (--dns). Default: the gateway (nslabd answers there) and the host resolvers.',
  'dns-search': 'Search domains of its resolv.conf (--dns-search).',
  'dns-options': 'resolv.conf options (--dns-option), like ndots:2, timeout:1, edns0.',
  hostname: 'Its host name (--hostname). Default: the container name.',
  aliases: 'More names other containers of its networks resolve to it (--alias).',
  links: "Legacy links OTHER[:ALIAS] (--link): OTHER's address under ALIAS in its hosts file; they must share a network.",
  'add-hosts': 'Extra NAME:IP lines of its hosts file (--add-host).',
  ports: 'Published ports (-p): [HOSTIP:]HOSTPORT[-END]:PORT[-END][/tcp|/udp], like 8080:80 or 127.0.0.1:5353:53/udp.',
};

/** A string of the input schema: YAML may write it as a number (8080, 1500), which the parser reads as text. */
function lenient(s: Json): Json {
  return s.type === 'string' ? { ...s, type: ['string', 'number'] } : s;
}

/** One entry (a network or a container): the input schema's properties under the file's keys. */
function entrySchema(schema: z.ZodMiniType, keys: Record<string, string>, text: Record<string, string>, what: string): Json {
  const js = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as { properties: Record<string, Json> };
  const properties: Record<string, Json> = {};
  for (const [key, field] of Object.entries(keys)) {
    const p = js.properties[field]!;
    // A list may be given as a single value (a list of one).
    const s = LISTS.has(field) ? { anyOf: [lenient(p.items as Json), { ...p, items: lenient(p.items as Json) }] } : lenient(p);
    properties[key] = { description: text[key], ...s };
  }
  return { description: `The settings of one ${what}; every key is optional.`, type: ['object', 'null'], properties, additionalProperties: false };
}

/** The names of a section: the name rule of networks, containers and interfaces. */
const names = (what: string, entry: string) => ({
  description: `The ${what}, by name (at most ${IFNAMSIZ} characters of letters, digits, "_", "." and "-", starting with a letter or digit).`,
  type: ['object', 'null'],
  propertyNames: { pattern: NAME.source, maxLength: IFNAMSIZ },
  additionalProperties: { $ref: `#/$defs/${entry}` },
});

/** The lab-file schema (draft 2020-12). Pure: the same text for the same schemas. */
export function labJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'nslab lab file',
    description: 'A lab for `nslab up|down|plan FILE`: networks and containers whose keys mirror the flags of `nslab network create` and `nslab container create`. Generated by `npm run gen:lab-schema` from the schemas nslab checks lab files with.',
    type: 'object',
    properties: {
      networks: names('networks (nslab network create NAME …)', 'network'),
      containers: names('containers (nslab container create NAME …), created in this order', 'container'),
      'firewall-backend': { description: 'Who writes the rules of the networks of this file: iptables (nslab), or none (you manage the firewall).', type: 'string', enum: [...FIREWALL_BACKENDS] },
    },
    additionalProperties: false,
    $defs: {
      network: entrySchema(networkInput, NET_KEYS, NET_TEXT, 'network'),
      container: entrySchema(containerInput, CTR_KEYS, CTR_TEXT, 'container'),
    },
  };
}

/** The schema as docs/lab.schema.json holds it. */
export const labJsonSchemaText = (): string => `${JSON.stringify(labJsonSchema(), null, 2)}\n`;
