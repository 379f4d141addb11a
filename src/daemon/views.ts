// GET /v1/networks[/NAME] and /v1/containers[/NAME]: the records as Docker shapes them (ls and inspect).
import { clip, NotFoundError } from '../errors.js';
import { containerView, networkView } from '../model/views.js';
import type { State } from '../state/types.js';

/** Every network (or container) by name, or the one named `name` (NotFoundError: a 404). */
export function recordsView(state: State, kind: 'networks' | 'containers', name: string | undefined): unknown {
  const view = (n: string) => (kind === 'networks' ? networkView(state.networks[n]!, state) : containerView(state.containers[n]!, state));
  if (name === undefined) return Object.keys(state[kind]).sort().map(view);
  if (!Object.hasOwn(state[kind], name)) throw new NotFoundError(`${kind === 'networks' ? 'network' : 'container'}: no such ${kind.slice(0, -1)} "${clip(name)}"`);
  return view(name);
}
