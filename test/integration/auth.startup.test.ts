/** The real entrypoints refuse to run without API keys where that is unsafe: exit code 1 and a clear message. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('secure by default at start', () => {
  it('the API refuses API_AUTH=off with NODE_ENV=production', async () => {
    const { code, output } = await run('server/main/api.ts', {
      NODE_ENV: 'production',
      API_AUTH: 'off',
      SECRETS_KEY: Buffer.alloc(32, 2).toString('base64'),
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    expect(code).toBe(1);
    expect(output).toContain('Refusing to start: API_AUTH=off is refused with NODE_ENV=production');
  });

  it('npm start refuses to run open on a non-loopback HOST', async () => {
    const { code, output } = await run('server/main/all.ts', {
      NODE_ENV: 'development',
      API_AUTH: 'off',
      HOST: '0.0.0.0',
      DATA_DIR: '/nonexistent/should-not-be-created',
    });
    expect(code).toBe(1);
    expect(output).toContain('Refusing to start: API_AUTH=off is refused on HOST=0.0.0.0');
  });
});
