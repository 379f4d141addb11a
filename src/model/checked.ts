// The in-process engine as the CLI uses it: each change's arguments checked against nslabd's schemas first.
import { MUTATIONS, type EngineApi, type Mutation } from '../engine/api.js';

/**
 * Wrap `engine` so that every mutation's arguments pass the same schemas nslabd applies
 * (src/model/schemas.ts) before the engine sees them: the CLI and the daemon refuse the same
 * inputs with the same words. The schema library is loaded only when a change is asked for,
 * so read commands (ls, inspect) start without it.
 */
export function withCheckedArgs<E extends EngineApi>(engine: E): E {
  return new Proxy(engine, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== 'string' || !(MUTATIONS as readonly string[]).includes(key) || typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        // Trailing undefined stands for an omitted argument; the tuple wants it absent or null.
        while (args.length && args[args.length - 1] === undefined) args.pop();
        const { checkArgs } = await import('./schemas.js');
        return (v as (...a: unknown[]) => unknown).apply(target, checkArgs(key as Mutation, args));
      };
    },
  });
}
