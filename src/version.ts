// nslab's version, from package.json (one level above both src/ and dist/).
import { readFileSync } from 'node:fs';

// The bundled binaries get the version written in at build time (scripts/build.mjs): their
// chunks live at other depths of dist/. Run from source, package.json is read.
declare const NSLAB_VERSION: string | undefined;
let cached: string | undefined = typeof NSLAB_VERSION === 'string' ? NSLAB_VERSION : undefined;

/** The version in package.json, read once; "unknown" when the file is missing (a copied binary). */
export function nslabVersion(): string {
  if (cached === undefined) {
    try {
      cached = String((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
