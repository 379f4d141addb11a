// In-process only: a request that names aliases is told once that serving them needs nslabd.
import type { EngineApi } from '../engine/api.js';

export const ALIAS_NOTICE = 'aliases and round robin are answered by the embedded DNS server, which needs nslabd: until it runs, names resolve from hosts files only';

/**
 * The engine with one notice (through `notice`) when a create, up or connect names aliases:
 * without nslabd nothing answers them. Pure wrapper; the engine's results are unchanged.
 */
export function withAliasNotice<E extends EngineApi>(engine: E, notice: (line: string) => void): E {
  let told = false;
  const tell = (aliases: ReadonlyArray<readonly string[] | undefined>) => {
    if (!told && aliases.some((a) => a?.length)) {
      told = true;
      notice(ALIAS_NOTICE);
    }
  };
  return Object.assign(Object.create(engine) as E, {
    createContainers: (...a: Parameters<EngineApi['createContainers']>) => (tell(a[0].map((c) => c.aliases)), engine.createContainers(...a)),
    up: (...a: Parameters<EngineApi['up']>) => (tell(a[1].map((c) => c.aliases)), engine.up(...a)),
    connect: (...a: Parameters<EngineApi['connect']>) => (tell([a[2]?.aliases]), engine.connect(...a)),
  });
}
