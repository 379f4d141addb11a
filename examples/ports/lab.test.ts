// The port-publishing lesson in a sandbox: a web server in a container reached from the world,
// the host and a neighbour (hairpin); 127.0.0.1-only ports stay off the LAN; UDP and TCP side by side.
// (Formerly test/e2e/ports-example.test.ts.)
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { HOST_IP, WORLD_IP, sandbox } from '../../test/helpers/sandbox.js';
import { Servers, tcp, udp } from '../../test/helpers/ports.js';
import { exampleLab, proveExample } from '../../test/helpers/example-lab.js';

const sb = await sandbox('edp');
const servers = new Servers();
let http: ChildProcess | undefined;
/** Stop the servers (by PID): a live process keeps its namespace and veth alive. */
const stop = async () => {
  await servers.stop();
  const h = http;
  http = undefined;
  if (h && h.exitCode === null && h.signalCode === null) await new Promise((res) => { h.once('exit', res); process.kill(h.pid!); });
};
t.teardown(async () => {
  await stop();
  await sb.down();
});
const lab = exampleLab(sb, 'ports');
const [web, dns, client] = ['web', 'dns', 'client'].map((n) => sb.name(n));

/** An HTTP server in `ns` on port `port` that answers `NAME ADDRESS` (the client address it sees), as python3 -m http.server would stand in. */
async function startHttp(ns: string, name: string, port: number): Promise<void> {
  const code = `require('http').createServer((q,s)=>s.end('${name} '+q.socket.remoteAddress+'\\n')).listen(${port},'0.0.0.0',()=>console.log('ready'))`;
  http = spawn('ip', ['netns', 'exec', ns, 'node', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    http!.stdout!.once('data', () => res());
    http!.once('exit', (c) => rej(new Error(`http server in ${ns} exited ${c}`)));
  });
}
/** `curl -s URL` from namespace `ns`: the body, '' when nothing answered. */
const curl = async (ns: string, url: string) =>
  String((await execa('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '3', url], { reject: false })).stdout).trim();

await proveExample(t, sb, lab, {
  prove: async (t) => {
    await startHttp(web, 'web', 80);
    await servers.start(web, 'web-tls', 443);
    await servers.start(dns, 'dns', 53, 'udp');
    await servers.start(dns, 'dns-tcp', 53);
    t.equal(await curl(sb.world, `http://${HOST_IP}:8080/`), `web ${WORLD_IP}`, 'world → HOST:8080 → web:80, the client address kept');
    t.equal(await udp(sb.world, HOST_IP, 5353), `dns ${WORLD_IP}`, 'world → HOST:5353/udp → dns:53');
    t.equal(await tcp(sb.world, HOST_IP, 5353), `dns-tcp ${WORLD_IP}`, 'and 5353/tcp beside it');
    t.equal(await tcp(sb.world, HOST_IP, 8443), '', '127.0.0.1:8443 is not on the LAN address');
    t.equal(await tcp(sb.host, '127.0.0.1', 8443), 'web-tls 10.208.0.1', 'the host reaches 127.0.0.1:8443');
    t.equal(await curl(sb.host, 'http://127.0.0.1:8080/'), 'web 10.208.0.1', 'and the wildcard on 127.0.0.1');
    t.equal(await curl(client, `http://${HOST_IP}:8080/`), 'web 10.208.0.1', 'a neighbour through the host address (hairpin)');
    t.match(await sb.iptables(), /-A NSLAB-DNAT .*-p tcp .*--dport 8080 .*-j DNAT --to-destination 10\.208\.0\.10:80/);
  },
  beforeDown: stop,
});
