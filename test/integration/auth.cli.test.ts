/**
 * The `apikey` CLI (the way to get the first key): `create` prints the key once and stores only its hash, the key
 * works over REST, `list` shows it without the secret, `revoke` makes it fail at once.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../server/auth/api-key-secret.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let stack: TestStack;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/apikey.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...stack.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  stack = await startTestStack({ env: { API_AUTH: 'required' } });
});

afterAll(async () => {
  await stack?.stop();
});

describe('npm run apikey', () => {
  it('creates a key shown once and stored hashed, that works over REST until revoked', async () => {
    const created = await cli(['create', '--role', 'operator', '--name', 'ci', '--expires-in', '30d']);
    expect(created.code, created.stderr).toBe(0);
    const keys = created.stdout.match(/so_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/g) ?? [];
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    const id = /id ([0-9a-f-]{36})/.exec(created.stdout)?.[1];
    expect(created.stdout).toContain('"ci" (operator)');

    const row = await stack.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id!)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: 'ci',
      role: 'operator',
      secret_hash: hashApiKey(key),
      revoked_at: null,
    });
    expect(JSON.stringify(row)).not.toContain(key.slice(16));
    const days = (row.expires_at!.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);

    const integration = await stack.api.services.integrations.create({ name: 'CLI store' });
    const post = (authorization?: string) =>
      fetch(`${stack.url}/api/sync/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ integration_id: integration.id, sync_type: 'products' }),
      });
    expect((await post(`Bearer ${key}`)).status).toBe(201);
    expect((await post()).status).toBe(401);

    const listed = await cli(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('ci');
    expect(listed.stdout).not.toContain(key);

    const revoked = await cli(['revoke', id!]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const refused = await post(`Bearer ${key}`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', message: /revoked/ } });
  });

  it('explains a bad role or a missing name, and creates nothing', async () => {
    const before = await stack.db.selectFrom('api_keys').select('id').execute();
    const bad = await cli(['create', '--role', 'root', '--name', 'x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/VALIDATION_FAILED: role/);
    const unnamed = await cli(['create', '--role', 'viewer']);
    expect(unnamed.code).toBe(1);
    expect(unnamed.stderr).toMatch(/name/);
    expect(await stack.db.selectFrom('api_keys').select('id').execute()).toEqual(before);
  });
});
