// Grading /etc/netns/NAME: resolv.conf names a nameserver (and the file's dns servers, search
// domains and options); hosts holds the entries the lab file asks for, and only those.
import type { ContainerSpec } from '../engine/inputs.js';
import { etcDir, parseResolvConf } from '../kernel/netns-files.js';
import { fail, pass, type Finding } from './finding.js';
import { writeFileCmd } from './hints.js';
import type { KernelView } from './view.js';

/** resolv.conf: present with a nameserver line, and everything the file's dns keys ask for. */
export function gradeResolv(c: ContainerSpec, view: KernelView): Finding[] {
  const object = `container ${c.name}`;
  const path = etcDir(c.name, 'resolv.conf');
  const text = view.files[c.name]?.['resolv.conf'];
  const servers = c.dns?.length ? c.dns : view.resolvers.slice(0, 1);
  const lines = [
    ...(servers.length ? servers : ['NAMESERVER']).map((s) => `nameserver ${s}`),
    ...(c.dnsSearch?.length ? [`search ${c.dnsSearch.join(' ')}`] : []),
    ...(c.dnsOptions?.length ? [`options ${c.dnsOptions.join(' ')}`] : []),
  ];
  const check = `${path} names a nameserver`;
  if (text === undefined) return [fail(object, 'resolv.conf', check, 'the file is missing', writeFileCmd(path, lines))];
  const got = parseResolvConf(text);
  if (!got.nameservers.length) return [fail(object, 'resolv.conf', check, 'no nameserver line', writeFileCmd(path, lines))];
  const out = [pass(object, 'resolv.conf', check, got.nameservers.map((n) => `nameserver ${n}`).join(', '))];
  const wanted: Array<[string, string, readonly string[] | undefined, readonly string[]]> = [
    ['dns', 'nameserver', c.dns, got.nameservers], ['dns-search', 'search', c.dnsSearch, got.search], ['dns-options', 'options', c.dnsOptions, got.options],
  ];
  for (const [id, key, want, have] of wanted) {
    if (!want?.length) continue;
    const missing = want.filter((w) => !have.includes(w));
    const shown = have.length ? `${key} ${have.join(' ')}` : `no ${key} line`;
    out.push(missing.length
      ? fail(object, id, `${path} has ${key} ${want.join(' ')}`, shown, writeFileCmd(path, lines))
      : pass(object, id, `${path} has ${key} ${want.join(' ')}`, shown));
  }
  return out;
}

/** Does a hosts file map `name` to `ip` (any line with that address naming it)? */
function maps(text: string, ip: string, name: string): boolean {
  return text.split('\n').some((l) => {
    const [addr, ...names] = l.replace(/#.*$/, '').trim().split(/\s+/);
    return addr === ip && names.includes(name);
  });
}

/**
 * hosts: the entries the file asks for: --add-host NAME:IP, --link OTHER:ALIAS (to OTHER's
 * address, as graded), and a hostname given explicitly (to the container's own address).
 */
export function gradeHosts(c: ContainerSpec, hostnameGiven: boolean, own: string | undefined, addressOf: (container: string) => string | undefined, view: KernelView): Finding[] {
  const object = `container ${c.name}`;
  const path = etcDir(c.name, 'hosts');
  const wanted: Array<{ ip: string; name: string; why: string }> = [
    ...c.addHosts.map((h) => ({ ...h, why: 'add-hosts' })),
    ...c.links.flatMap((l) => {
      const ip = addressOf(l.container);
      return ip ? [{ ip, name: l.alias, why: 'links' }] : [];
    }),
    ...(hostnameGiven && own ? [{ ip: own, name: c.hostname, why: 'hostname' }] : []),
  ];
  const text = view.files[c.name]?.hosts;
  return wanted.map((w) => {
    const check = `${path} maps ${w.name} to ${w.ip}`;
    const fix = text === undefined ? writeFileCmd(path, ['127.0.0.1 localhost', `${w.ip} ${w.name}`]) : writeFileCmd(path, [`${w.ip} ${w.name}`], true);
    if (text === undefined) return fail(object, w.why, check, 'the file is missing', fix);
    return maps(text, w.ip, w.name) ? pass(object, w.why, check, `${w.ip} ${w.name}`) : fail(object, w.why, check, `no line maps ${w.name} to ${w.ip}`, fix);
  });
}
