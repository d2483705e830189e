/** The policy table, key format and start-up guard, without servers. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from '../../server/auth/api-key-secret.ts';
import { redactSecrets } from '../../server/auth/audit-trail.ts';
import { GRAPHQL_FIELD_OPERATIONS, authorize, operationOfField } from '../../server/auth/policy.ts';
import { isLoopbackHost, resolveAuthStartup } from '../../server/auth/startup-guard.ts';
import { buildSchema } from '../../schema/index.ts';

const SECRETS_KEY = Buffer.alloc(32, 1).toString('base64');

describe('the policy', () => {
  it('names an operation for every root field of the schema (a new field is not left to the admin default)', () => {
    const schema = buildSchema();
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap(
      (t) => Object.keys(t!.getFields()).map((f) => `${t!.name}.${f}`),
    );
    expect(fields.filter((f) => !(f in GRAPHQL_FIELD_OPERATIONS))).toEqual([]);
  });

  it('orders roles: viewer reads, operator runs jobs and queues, admin manages', () => {
    const viewer = { keyId: 'k', name: 'v', role: 'viewer' as const };
    const operator = { ...viewer, role: 'operator' as const };
    expect(() => authorize(viewer, operationOfField('Query', 'jobs'), 'required')).not.toThrow();
    expect(() => authorize(viewer, operationOfField('Mutation', 'cancelSyncJob'), 'required')).toThrow(
      /needs the operator role/,
    );
    expect(() => authorize(operator, operationOfField('Mutation', 'purgeQueue'), 'required')).not.toThrow();
    expect(() => authorize(operator, operationOfField('Mutation', 'createIntegration'), 'required')).toThrow(
      /needs the admin role/,
    );
    expect(() => authorize(operator, operationOfField('Query', 'someFieldWithoutRule'), 'required')).toThrow(
      /admin/,
    );
    expect(() => authorize(null, operationOfField('Query', 'jobs'), 'required')).toThrow(/API key/);
    expect(() => authorize(null, operationOfField('Query', 'serverInfo'), 'required')).not.toThrow();
    expect(() => authorize(null, operationOfField('Mutation', 'createApiKey'), 'off')).not.toThrow();
  });
});

describe('API keys', () => {
  it('are random, prefixed, and matched only by their hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^so_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(hashApiKey(a.key));
    expect(a.hash).not.toContain(a.key.slice(16));
    expect(parseApiKey(a.key)).toEqual({ publicId: a.publicId });
    expect(parseApiKey('so_nothex_abc')).toBeNull();
    expect(apiKeyMatches(a.key, a.hash)).toBe(true);
    expect(apiKeyMatches(b.key, a.hash)).toBe(false);
  });

  it('audit arguments lose every secret-looking field, at any depth', () => {
    expect(
      redactSecrets({ name: 'x', credentials: { token: 't' }, nested: [{ clientSecret: 's', ok: 1 }] }),
    ).toEqual({ name: 'x', credentials: '[redacted]', nested: [{ clientSecret: '[redacted]', ok: 1 }] });
  });
});

describe('start-up', () => {
  it('refuses API_AUTH=off in production', () => {
    const config = loadConfig({ NODE_ENV: 'production', API_AUTH: 'off', SECRETS_KEY });
    expect(resolveAuthStartup(config, 'api')).toMatchObject({ ok: false, problem: /NODE_ENV=production/ });
    expect(resolveAuthStartup(loadConfig({ NODE_ENV: 'production', SECRETS_KEY }), 'api')).toEqual({
      ok: true,
      mode: 'required',
    });
  });

  it('defaults to required; the all-in-one is open by default only on a loopback HOST', () => {
    expect(loadConfig({}).auth).toEqual({ mode: 'required', modeSet: false });
    expect(resolveAuthStartup(loadConfig({}), 'api')).toEqual({ ok: true, mode: 'required' });
    expect(resolveAuthStartup(loadConfig({ HOST: '127.0.0.1' }), 'all-in-one')).toEqual({
      ok: true,
      mode: 'off',
    });
    expect(resolveAuthStartup(loadConfig({ HOST: '0.0.0.0' }), 'all-in-one')).toEqual({
      ok: true,
      mode: 'required',
    });
    expect(resolveAuthStartup(loadConfig({ HOST: '0.0.0.0', API_AUTH: 'off' }), 'all-in-one')).toMatchObject({
      ok: false,
      problem: /HOST=0\.0\.0\.0/,
    });
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('192.168.1.4')).toBe(false);
  });
});
