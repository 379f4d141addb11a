// Renders ops as a shell script a person can paste: the exact commands nslab runs.
import { argvOf, type Op } from './command.js';

const SAFE = /^[A-Za-z0-9_./:=@%+,^-]+$/;

/** Quote one word for a POSIX shell. */
export function quote(word: string): string {
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from an argv array, each word quoted as a shell needs it: pasted, it runs that argv. */
export function shellLine(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}

function heredoc(head: string, body: string): string {
  const text = body.endsWith('\n') ? body : body + '\n';
  return `${head} <<'EOF'\n${text}EOF`;
}

/** One op as shell text (a heredoc when it feeds standard input). */
export function toShell(op: Op): string {
  switch (op.kind) {
    case 'mkdir':
      return `mkdir -p ${quote(op.path)}`;
    case 'write': {
      const text = op.content; // read once: a write's text may be made when it is read
      return text === '' ? `: > ${quote(op.path)}` : heredoc(`cat > ${quote(op.path)}`, text);
    }
    case 'rm':
      return `rm -rf ${quote(op.path)}`;
    case 'cmd': {
      const line = shellLine(argvOf(op));
      return op.stdin === undefined ? line : heredoc(line, op.stdin);
    }
  }
}
