// The table of error kinds: each error class is a row (exit code, HTTP status), keeps its cause,
// and comes back from nslabd's JSON as the same JSON (so `--json` says the same either way).
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApplyError, ConflictError, ERROR_KINDS, errorJson, exitCodeOf, IncompleteError, kindOf, NotFoundError, NslabError, statusOf, ValidationError } from '../../src/errors.js';
import { ExhaustedError } from '../../src/ipam/allocator.js';
import { WriteError } from '../../src/state/atomic.js';
import { CorruptStateError } from '../../src/state/store.js';
import { SymlinkError } from '../../src/exec/runner.js';
import { CommandError } from '../../src/exec/outcome.js';
import { ip } from '../../src/exec/command.js';
import { BodyTooLarge } from '../../src/daemon/http.js';
import { RemoteError } from '../../src/client/remote.js';

const failed = new CommandError(ip(['link', 'add', 'x']), { argv: [], exitCode: 2, stdout: '', stderr: 'RTNETLINK answers: Operation not permitted', durationMs: 1 });
// [error, kind, exit code, status]
const rows: Array<[Error, string, number, number]> = [
  [new ValidationError('subnet', 'bad'), 'invalid', 2, 400],
  [new NotFoundError('network: no such network "x"'), 'not-found', 2, 404],
  [new ConflictError('network x already exists with other settings'), 'conflict', 2, 409],
  [new ExhaustedError('10.0.0.0/30'), 'exhausted', 2, 409],
  [new BodyTooLarge(), 'too-large', 2, 413],
  [new ApplyError('boom', [], { cause: failed }), 'failed', 1, 500],
  [new IncompleteError(['link x: busy']), 'incomplete', 1, 500],
  [new CorruptStateError('/s/state.json', 'not JSON'), 'corrupt-state', 1, 500],
  [new WriteError('/s/state.json', new Error('ENOSPC')), 'failed', 1, 500],
  [new SymlinkError('/etc/netns/x', 'write'), 'failed', 1, 500],
  [failed, 'failed', 1, 500],
  [new Error('a bug'), 'failed', 1, 500],
];

t.test('each error is a row of the table: its kind, exit code and HTTP status', async (t) => {
  for (const [e, kind, code, status] of rows) {
    t.equal(kindOf(e), kind, `${e.name}: kind ${kind}`);
    t.equal(exitCodeOf(e), code, `${e.name}: exit ${code}`);
    t.equal(statusOf(e), status, `${e.name}: status ${status}`);
    t.same(errorJson(e).exitCode, code, `${e.name}: its JSON carries exit ${code}`);
  }
  t.equal(exitCodeOf('a thrown string'), 1, 'anything thrown that is not an error is a failure');
  for (const [kind, row] of Object.entries(ERROR_KINDS)) {
    t.ok(row.exitCode === 2 ? row.status >= 400 && row.status < 500 : row.status >= 500, `${kind}: refused (exit 2) is a 4xx, a failure (exit 1) a 5xx`);
  }
});

t.test('the cause is kept', async (t) => {
  t.equal(new ApplyError('boom', [], { cause: failed }).cause, failed, 'ApplyError: the step that failed');
  const enospc = new Error('ENOSPC');
  t.equal(new WriteError('/s/state.json', enospc).cause, enospc, 'WriteError: the write that failed');
  t.equal(new NslabError('failed', 'x', { cause: 'why' }).cause, 'why', 'any kind');
});

t.test('the JSON of an error: kind, message, exit code, and the field or failures when it has them', async (t) => {
  t.same(errorJson(new ValidationError('subnet', '"x" is not a CIDR')), { kind: 'invalid', message: 'subnet: "x" is not a CIDR', exitCode: 2, field: 'subnet' });
  t.same(errorJson(new NotFoundError('network: no such network "n"')), { kind: 'not-found', message: 'network: no such network "n"', exitCode: 2 });
  t.match(errorJson(new IncompleteError(['a', 'b'])), { kind: 'incomplete', exitCode: 1, failures: ['a', 'b'] });
  t.equal(errorJson(new ValidationError('k'.repeat(1000), 'unknown key')).field!.length, 121, 'a long field is clipped as in the message');
  t.same(errorJson(new Error('a bug')), { kind: 'failed', message: 'a bug', exitCode: 1 });
});

t.test('an error rebuilt from nslabd\'s answer gives the JSON the engine in-process gives', async (t) => {
  for (const [e] of rows) {
    // What nslabd sends, through JSON and back, as the client rebuilds it.
    const wire = JSON.parse(JSON.stringify({ error: errorJson(e) })).error;
    const remote = RemoteError.of(wire);
    t.same(errorJson(remote), errorJson(e), `${e.name}: same JSON`);
    t.equal(exitCodeOf(remote), exitCodeOf(e), `${e.name}: same exit code`);
  }
  t.equal(RemoteError.of({ kind: 'from-a-newer-nslabd' as never, message: 'x', exitCode: 2 }).kind, 'invalid', 'an unknown kind keeps exit 2');
  t.equal(RemoteError.of({ message: 'x', exitCode: 1 }).kind, 'failed', 'an answer without a kind keeps exit 1');
  t.equal(RemoteError.of({ kind: 'constructor' as never, exitCode: 1 }).kind, 'failed', 'only the table\'s own kinds are kinds');
});

t.test('no error class sets its own exit code: a kind of the table gives it (src/errors.ts)', async (t) => {
  const src = resolve(import.meta.dirname, '../../src');
  const all = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  t.ok(all.length > 50, 'the scan sees the source tree');
  t.same(all.filter((f) => /\breadonly\s+exitCode\s*=/.test(readFileSync(join(src, f), 'utf8'))), [], 'extend NslabError with a kind instead');
});
