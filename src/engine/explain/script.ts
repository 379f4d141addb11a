// explain's output: the plan as a bash script a student can read and rerun, or as data.
import { argvOf, type Op } from '../../exec/command.js';
import { shellLine, toShell } from '../../exec/shell.js';
import type { Step } from '../step.js';
import { SHELL_PID, type Explained } from './plan.js';

/** `ip netns attach NAME <the shell's pid>`: the namespace the script runs in becomes NAME. */
const isAttach = (op: Op) => op.kind === 'cmd' && op.file === 'ip' && op.args[0] === 'netns' && op.args[1] === 'attach' && op.args[3] === String(SHELL_PID);

/** One op as a line a student types (`$$` for the shell's own pid). */
function line(op: Op): string {
  if (op.kind === 'cmd' && isAttach(op)) return `${shellLine(argvOf({ ...op, args: op.args.slice(0, 3) }))} $$`;
  // `ip -n NS netns exec NS …` (the form that joins NS's batch) reads better as `ip netns exec NS …`.
  if (op.kind === 'cmd' && op.file === 'ip' && op.args[0] === 'netns' && op.args[1] === 'exec' && op.netns === op.args[2]) return toShell({ ...op, netns: undefined });
  return toShell(op);
}

/** A delete that may find nothing to delete: run twice, the script still succeeds. */
function tolerant(op: Op): string {
  const text = line(op);
  if (op.kind !== 'cmd') return text; // rm -rf is already idempotent
  return op.stdin === undefined ? `${text} 2>/dev/null || true` : text.replace(/ <<'EOF'\n/, ` 2>/dev/null <<'EOF' || true\n`);
}

/** A build line; a command for which "nothing there" is success (conntrack -D) may find nothing. */
const buildLine = (op: Op): string => (op.kind === 'cmd' && op.absentOk ? tolerant(op) : line(op));

const DNS_NOTE = [
  "# Not built here: nslabd's DNS server. It answers the containers' names and aliases on each",
  '# network\'s gateway, port 53; it is a program, not a kernel object, so no command makes it.',
  '# Without it a container\'s resolver finds the gateway closed and asks the next nameserver.',
];

function head(x: Explained, teardown: boolean): string[] {
  const what = [...x.networks.map((n) => `network ${n.name}`), ...x.containers.map((c) => `container ${c.name}`)].join(', ') || 'nothing (no records)';
  return [
    '#!/bin/bash',
    `# ${teardown ? 'Tear down' : 'Build'} by hand what nslab ${teardown ? 'built' : 'builds'}: ${what}.`,
    teardown
      ? '# Run as root; every delete tolerates what is already gone, so running it twice is fine.'
      : "# Run as root on a host without these objects. The marks (link aliases, rule comments, the first line of each /etc/netns file) let nslab recognise them as this lab's.",
    'set -euo pipefail',
    ...(x.notes.length ? ['', ...x.notes.map((n) => `# NOTE: ${n}`)] : []),
    ...(!teardown && x.networks.length ? ['', ...DNS_NOTE] : []),
  ];
}

/** The script that builds (or with `teardown`, removes) the explained objects; one comment per step. Pure. */
export function explainScript(x: Explained, teardown = false): string {
  const out = head(x, teardown);
  const steps = teardown ? x.teardown : x.build;
  for (const s of steps) {
    const undo = teardown && !s.id.startsWith('firewall/');
    out.push('', `# ${undo ? 'undo: ' : ''}${s.description}`, ...s.apply.map(teardown ? tolerant : buildLine));
  }
  return out.join('\n') + '\n';
}

/** The steps as data (`--json`): id, description, phase and each command as its shell line. */
export function explainJson(x: Explained, teardown = false): Array<{ id: string; description: string; phase: string; commands: string[] }> {
  return (teardown ? x.teardown : x.build).map((s: Step) => ({ id: s.id, description: s.description, phase: s.phaseName, commands: s.apply.map(teardown ? tolerant : buildLine) }));
}
