// nslab's marks read back for the diagram: link aliases and the /etc/netns marker, of any lab.
// The engine's own parsers (engine/names.ts, kernel/netns-files.ts) judge "mine" against the lab
// set by useLab; the diagram reads without an engine and names whichever lab a mark names.
import { MARKER, readNetnsFile } from '../kernel/netns-files.js';
import type { Owner } from './model.js';

/** nslab:LAB:network:NAME, nslab:LAB:endpoint:CONTAINER:ethN (LAB absent before lab ids); see engine/names.ts. */
const ALIAS = /^nslab:(?:([0-9a-f]{8}):)?(network|endpoint):([^:]+)(?::([^:]+))?$/;

/** A link's owner from its alias, with the network or endpoint it names. Pure. */
export function aliasMark(alias: string | undefined, labId: string | undefined): { owner: Owner; network?: string; endpoint?: { container: string; ifname: string } } {
  const m = ALIAS.exec(alias ?? '');
  if (!m) return { owner: { nslab: false } };
  const owner: Owner = { nslab: true, ...(m[1] ? { lab: m[1] } : {}), thisLab: !!m[1] && m[1] === labId };
  if (m[2] === 'network' && m[4] === undefined) return { owner, network: m[3]! };
  if (m[2] === 'endpoint' && m[4] !== undefined) return { owner, endpoint: { container: m[3]!, ifname: m[4] } };
  return { owner: { nslab: false } };
}

/** `# nslab: managed by nslab for container C (host net:[N], lab LAB)`: see netns-files.ts. */
const MARKER_LINE = new RegExp(`^${MARKER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} for container (\\S+) \\(host ([^,)]+)(?:, lab ([0-9a-f]{8}))?\\)$`);

/** The marker line of a namespace's /etc/netns file, parsed (undefined: none, not nslab's). Pure. */
export function parseMarker(text: string | undefined): { container: string; host: string; lab?: string } | undefined {
  const m = MARKER_LINE.exec((text ?? '').split('\n', 1)[0]!);
  return m ? { container: m[1]!, host: m[2]!, ...(m[3] ? { lab: m[3] } : {}) } : undefined;
}

/** The marker of /etc/netns/NAME (resolv.conf, else hosts; never through a symbolic link); reads only, a missing file is no marker. */
export function readMarker(name: string): ReturnType<typeof parseMarker> {
  for (const f of ['resolv.conf', 'hosts'] as const) {
    try {
      const text = readNetnsFile(name, f);
      const m = text === 'symlink' ? undefined : parseMarker(text);
      if (m && m.container === name) return m;
    } catch {
      /* a name no path is built from, or an unreadable file: look at the next one */
    }
  }
  return undefined;
}
