import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The version in this project's package.json, found from here both in the sources and in the built dist/. */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'sync-orchestrator') return (cached = pkg.version ?? 'unknown');
    } catch {
      // not here; look one level up
    }
    dir = dirname(dir);
  }
  return (cached = 'unknown');
}
