/**
 * The per-process cache of verified API keys: repeated requests with a key read its row once and stamp
 * last_used_at once a minute, yet a wrong secret, an expiry that passes while cached and a revocation made in
 * another API process are all refused at once.
 */
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, type Authenticator } from '../../server/auth/authenticator.ts';
import { createLogger } from '../../server/logger.ts';
import { gqlAs } from '../helpers/auth.ts';
import { spawnApi, startTestStack, type ChildApi, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

let stack: TestStack;
let other: ChildApi;

beforeAll(async () => {
  stack = await startTestStack({ env: { API_AUTH: 'required' } });
  other = await spawnApi(stack.env);
});

afterAll(async () => {
  await other?.kill();
  await stack?.stop();
});

/** An authenticator over the stack's database that counts the statements it sends, by kind. */
function countingAuthenticator(options: { cacheTtlMs?: number } = {}): {
  auth: Authenticator;
  count: (kind: 'SelectQueryNode' | 'UpdateQueryNode') => number;
} {
  const kinds: string[] = [];
  const counting: KyselyPlugin = {
    transformQuery: (args: { node: RootOperationNode }) => {
      kinds.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const auth = createAuthenticator({
    db: stack.db.withPlugin(counting),
    log: createLogger({ name: 'test', level: 'silent' }),
    ...options,
  });
  return { auth, count: (kind) => kinds.filter((k) => k === kind).length };
}

const newKey = async (input: Record<string, unknown> = {}) =>
  stack.api.access.keys.create({ name: 'cached', role: 'operator', ...input });

describe('the API key cache', () => {
  it('reads a key row once for repeated requests', async () => {
    const { secret, key } = await newKey();
    const { auth, count } = countingAuthenticator();
    for (let i = 0; i < 20; i++)
      expect(await auth.authenticate(`Bearer ${secret}`)).toMatchObject({ keyId: key.id, role: 'operator' });
    expect(count('SelectQueryNode')).toBe(1);
  });

  it('does not cache a row read while the key was being evicted', async () => {
    const { secret, key } = await newKey();
    const { auth, count } = countingAuthenticator();
    // The SELECT is sent, then a revocation evicts the key before its row arrives.
    const racing = auth.authenticate(`Bearer ${secret}`);
    auth.forget(key.id);
    await racing;
    await auth.authenticate(`Bearer ${secret}`);
    expect(count('SelectQueryNode')).toBe(2);
  });

  it('stamps last_used_at once a minute per key from one process, even with the cache off', async () => {
    const { secret, key } = await newKey();
    const { auth, count } = countingAuthenticator({ cacheTtlMs: 0 });
    for (let i = 0; i < 20; i++) await auth.authenticate(`Bearer ${secret}`);
    expect(count('SelectQueryNode')).toBe(20);
    expect(count('UpdateQueryNode')).toBe(1);
    await waitFor('last_used_at to be stamped', async () => {
      const row = await stack.db
        .selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', key.id)
        .executeTakeFirstOrThrow();
      return row.last_used_at !== null;
    });
  });

  it('refuses a wrong secret whose public id is cached', async () => {
    const { secret } = await newKey();
    const { auth, count } = countingAuthenticator();
    await auth.authenticate(`Bearer ${secret}`);
    const forged = `${secret.slice(0, 16)}${'A'.repeat(43)}`;
    expect(forged).not.toBe(secret);
    await expect(auth.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The API key is not valid',
    });
    expect(count('SelectQueryNode')).toBe(1);
  });

  it('refuses a key whose expiry passes while it is cached', async () => {
    const expiresAt = new Date(Date.now() + 1500);
    const { secret } = await newKey({ expiresAt });
    const { auth, count } = countingAuthenticator();
    await auth.authenticate(`Bearer ${secret}`);
    await waitFor('the key to expire', () => Date.now() > expiresAt.getTime(), { timeoutMs: 5000 });
    await expect(auth.authenticate(`Bearer ${secret}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The API key has expired',
    });
    expect(count('SelectQueryNode')).toBe(1);
  });

  it('refuses a key revoked through the API on the very next request, in this and in another API process', async () => {
    const admin = await newKey({ role: 'admin', name: 'revoker' });
    const { secret, key } = await newKey({ role: 'viewer', name: 'to revoke' });
    // Both processes have verified (and so cached) the key.
    for (const url of [stack.url, other.url]) {
      const ok = await gqlAs(url, secret, '{ __typename }');
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    }

    const revoke = await gqlAs(
      stack.url,
      admin.secret,
      'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
      { id: key.id },
    );
    expect(revoke.body.errors).toBeUndefined();

    for (const url of [other.url, stack.url]) {
      const refused = await gqlAs(url, secret, '{ __typename }');
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.message).toMatch(/revoked/);
    }
  });
});
