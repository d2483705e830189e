/**
 * The e2e tests run against the built dashboard the API serves from client/dist. CI builds it before the tests
 * (.ci/run); locally it is (re)built here when missing or older than any client source file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT = join(ROOT, 'client');
const BUILT = join(CLIENT, 'dist', 'index.html');

function newestMtime(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

export function ensureClientBuilt(): void {
  const sources = Math.max(
    newestMtime(join(CLIENT, 'src')),
    newestMtime(join(CLIENT, 'index.html')),
    newestMtime(join(CLIENT, 'vite.config.ts')),
  );
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= sources) return;
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'client', '--logLevel', 'warn'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      // The test runner sets NODE_ENV=test, which would give a development build of React.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}
