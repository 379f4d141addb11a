// Servers and clients for published-port tests: TCP and UDP, each run in a namespace of the test's.
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';

/** Servers started by these helpers, to stop by PID. */
export class Servers {
  private children: ChildProcess[] = [];

  /**
   * A server in namespace `ns` on every address, port `port`: answers each TCP connection (or
   * UDP datagram) with `NAME ADDRESS`, its own name and the client address it sees.
   */
  async start(ns: string, name: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Promise<void> {
    const code = proto === 'tcp'
      ? `require('net').createServer(s=>{s.on('error',()=>{});s.end('${name} '+s.remoteAddress+'\\n')}).listen(${port},'0.0.0.0',()=>console.log('ready'))`
      : `const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send('${name} '+r.address+'\\n',r.port,r.address));s.bind(${port},'0.0.0.0',()=>console.log('ready'))`;
    const child = spawn('ip', ['netns', 'exec', ns, 'node', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.children.push(child);
    await new Promise<void>((res, rej) => {
      child.stdout!.once('data', () => res());
      child.once('exit', (c) => rej(new Error(`server in ${ns} exited ${c}`)));
    });
  }

  /** End every server started here and wait until each is gone (a live one keeps its namespace). */
  async stop(): Promise<void> {
    const live = this.children.filter((s) => s.exitCode === null && s.signalCode === null);
    this.children = [];
    await Promise.all(live.map((s) => new Promise((res) => { s.once('exit', res); if (s.pid) process.kill(s.pid); })));
  }
}

/** Connect over TCP from namespace `ns` (or the fake host with `nsenter`) and return what the server said, '' when unreachable. */
export async function tcp(ns: string, ip: string, port: number): Promise<string> {
  const r = await execa('ip', ['netns', 'exec', ns, 'timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}; cat <&3`], { reject: false });
  return String(r.stdout).trim();
}

/**
 * Send one UDP datagram from namespace `ns` (from source port `from`, when given, so that
 * conntrack sees the same flow each time) and return the answer, '' when none came in 1.5 s.
 */
export async function udp(ns: string, ip: string, port: number, from = 0): Promise<string> {
  const code = `const s=require('dgram').createSocket('udp4');const t=setTimeout(()=>{s.close()},1500);`
    + `s.on('message',m=>{process.stdout.write(String(m));clearTimeout(t);s.close()});s.bind(${from},()=>s.send('hi',${port},'${ip}'))`;
  const r = await execa('ip', ['netns', 'exec', ns, 'node', '-e', code], { reject: false });
  return String(r.stdout).trim();
}
