import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs a production entrypoint until it exits; resolves with its exit code and output. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const environment: Record<string, string | undefined> = { ...process.env, ...env };
  delete environment.SECRETS_KEY;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('production start without SECRETS_KEY', () => {
  it.each(['server/main/api.ts', 'server/main/worker.ts'])(
    '%s refuses to start and says why',
    async (entry) => {
      const { code, output } = await run(entry, {
        NODE_ENV: 'production',
        API_AUTH: 'required',
        // Unreachable on purpose: the refusal must come before any connection.
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1/0',
      });
      expect(code).toBe(1);
      expect(output).toMatch(/SECRETS_KEY is required in production/);
    },
  );
});
