// setup.sh installs shell completion generated from the command tree (scripts/install-completion.sh,
// run here under a temporary NSLAB_PREFIX): both files, the same script the CLI prints, once.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, ROOT } from '../helpers/sandbox.js';

const prefix = mkdtempSync(join(tmpdir(), 'dsc-'));
t.teardown(() => rmSync(prefix, { recursive: true, force: true }));
const BASH = join(prefix, 'etc/bash_completion.d/nslab');
const ZSH = join(prefix, 'usr/local/share/zsh/site-functions/_nslab');
const install = () => execa('bash', [join(ROOT, 'scripts', 'install-completion.sh')], { reject: false, env: { NSLAB_PREFIX: prefix } });
const printed = async (shell: string) => (await execa('node', [CLI, 'completion', shell], { stripFinalNewline: false })).stdout;

t.test('installs the bash and zsh scripts the CLI prints, mode 0644, the directories made', async (t) => {
  const r = await install();
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, `bash completion: ${BASH} (installed)\nzsh completion: ${ZSH} (installed)`);
  t.equal(readFileSync(BASH, 'utf8'), await printed('bash'));
  t.equal(readFileSync(ZSH, 'utf8'), await printed('zsh'));
  for (const f of [BASH, ZSH]) t.equal(statSync(f).mode & 0o777, 0o644, `${f}: 0644`);
});

t.test('again: nothing rewritten; a stale script is replaced', async (t) => {
  const before = statSync(BASH).mtimeMs;
  await new Promise((r) => setTimeout(r, 20));
  const r = await install();
  t.equal(r.exitCode, 0, r.stderr);
  t.equal(r.stdout, `bash completion: ${BASH} (unchanged)\nzsh completion: ${ZSH} (unchanged)`);
  t.equal(statSync(BASH).mtimeMs, before, 'not written again');
  writeFileSync(ZSH, '# an older nslab\n');
  t.match((await install()).stdout, `zsh completion: ${ZSH} (installed)`);
  t.equal(readFileSync(ZSH, 'utf8'), await printed('zsh'), 'brought up to date');
});

t.test('the installed bash file completes as bash-completion loads it (sourced)', async (t) => {
  const r = await execa('bash', ['-c', `source ${BASH}; COMP_WORDS=(nslab network cr); COMP_CWORD=2; _nslab; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  t.equal(r.stdout, 'create');
});

t.test('zsh: compinit finds the installed _nslab in $fpath, and the first Tab completes', async (t) => {
  // An interactive zsh on a pseudo-terminal (zsh/zpty), as a user at a prompt types `nslab network cr<Tab>`.
  const driver = join(prefix, 'tab.zsh');
  writeFileSync(driver, [
    'zmodload zsh/zpty',
    'zpty z zsh -f -i',
    `zpty -w z "PS1='> '; fpath=(${join(prefix, 'usr/local/share/zsh/site-functions')} \\$fpath); autoload -U compinit; compinit -u -D; print -r ready-\\\${_comps[nslab]}"`,
    // Read until `pattern` shows up (or 5 s pass): the pty gives the output in pieces.
    'upto() { local i chunk; for i in {1..50}; do while zpty -r -t z chunk; do out+=$chunk; done; [[ $out == *$1* ]] && return; sleep 0.1; done; }',
    'out=; upto ready-',
    "zpty -w -n z $'nslab network cr\\t'",
    'upto "network create"',
    'print -r -- "$out"',
    'zpty -d z',
  ].join('\n'));
  const r = await execa('zsh', ['-f', driver], { reject: false, timeout: 20000 });
  t.match(r.stdout, 'ready-_nslab', 'compinit registered _nslab for nslab');
  t.match(r.stdout, /nslab network create(\x1b\[[0-9;]*m)* /, 'Tab completed the subcommand (and added the space after it)');
});

t.test('setup.sh runs it after the build, and README says where completion goes', async (t) => {
  const setup = readFileSync(join(ROOT, 'scripts', 'setup.sh'), 'utf8');
  const at = setup.indexOf('bash scripts/install-completion.sh');
  t.ok(at > setup.indexOf('npm run build'), 'setup.sh installs completion once the CLI is built');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  t.match(readme, '/etc/bash_completion.d/nslab');
  t.match(readme, '/usr/local/share/zsh/site-functions/_nslab');
});
