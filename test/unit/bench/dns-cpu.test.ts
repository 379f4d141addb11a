// The bench's CPU time of a server from /proc/PID/stat: utime + stime in 1/100 s, a name with spaces and parentheses included.
import t from 'tap';
import { cpuMs } from '../../../src/bench/measure-dns.js';

t.test('utime and stime (fields 14 and 15) in ms', async (t) => {
  const stat = '4242 (node) S 1 4242 4242 0 -1 4194560 5000 0 0 0 37 12 0 0 20 0 11 0 100 1000 2000';
  t.equal(cpuMs(stat), 490, '37 + 12 ticks');
  t.equal(cpuMs('4242 (a) b (c) R 1 4242 4242 0 -1 4194560 5000 0 0 0 300 1 0 0 20 0 1 0 100 1000 2000'), 3010, 'a command name holding ") "');
});


t.test("this process's own, from /proc", async (t) => {
  const { readFileSync } = await import('node:fs');
  const ms = cpuMs(readFileSync('/proc/self/stat', 'utf8'));
  t.ok(Number.isFinite(ms) && ms > 0, `${ms} ms: node has used some CPU by now`);
});
