// Shell completion generated from the command tree: bash completes commands, then each command's flags.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { buildProgram } from '../../../src/cli/program.js';
import { completionScript, completionTable } from '../../../src/cli/completion.js';

const program = buildProgram();
const script = completionScript(program, 'bash');

/** What bash offers for the word being typed at the end of `line` (a trailing space: a new word). */
function complete(line: string): string[] {
  const words = line.split(' ');
  const setup = `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _nslab; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', `${script}\n${setup}`], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

t.test('the table holds every command and its flags, global options after any command', async (t) => {
  const table = completionTable(program);
  for (const path of ['_', '_ network', '_ network create', '_ network ls', '_ container inspect', '_ run', '_ up', '_ completion', '_ version']) t.ok(table.has(path), path);
  t.ok(table.get('_ network create')!.includes('--ip-range'));
  t.ok(table.get('_ network ls')!.includes('--json'), 'a global option completes after the command too');
});

t.test('bash completes commands, subcommands and flags', async (t) => {
  t.same(complete('nslab network cr'), ['create']);
  t.same(complete('nslab co'), ['completion', 'container']);
  t.same(complete('nslab --json container ls --f'), ['--firewall-backend', '--format']);
  t.same(complete('nslab run --n'), ['--name', '--net', '--network', '--network-alias']);
  t.same(complete('nslab network create lab -'), completionTable(program).get('_ network create')!.filter((w) => w.startsWith('-')).sort());
});

t.test('zsh: the same through bashcompinit; another shell is refused naming the field', async (t) => {
  t.match(completionScript(program, 'zsh'), /^#compdef nslab\n# nslab completion[^\n]*\nautoload -U \+X bashcompinit && bashcompinit\n/, 'compinit finds it in $fpath by its first line');
  t.throws(() => completionScript(program, 'fish'), { field: 'shell', message: 'shell: "fish" is not bash or zsh' });
});
