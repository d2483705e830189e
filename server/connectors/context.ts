/**
 * Builds what a platform definition needs to create its connector for one job run: the integration's settings and
 * opened credentials (parsed by the definition's schemas), and factories for HTTP clients and OAuth strategies
 * bound to the integration — one circuit breaker, one Redis rate-limit bucket and one token store per integration,
 * shared with every other process and job working on it.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Database } from '../../db/database.ts';
import type { Integration } from '../../db/types.ts';
import { PermanentError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { openStoredCredentials } from '../security/integration-credentials.ts';
import type { SecretBox } from '../security/secret-box.ts';
import { createBreaker, DEFAULT_BREAKER_POLICY, type Breaker, type BreakerPolicy } from './http/breaker.ts';
import { createPlatformHttp, type RetryPolicy } from './http/client.ts';
import { PlatformAuthError } from './http/errors.ts';
import { createOAuthStrategy } from './http/oauth.ts';
import type { ConnectorContext, PlatformConnector, PlatformDefinition } from './platform.ts';

/** What a process gives the platform connectors (the worker builds it once). */
export interface ConnectorDeps {
  db: Database;
  redis: Redis;
  /** Redis key prefix of the deployment: rate-limit buckets and refresh locks live under it. */
  redisPrefix: string;
  box: SecretBox;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<BreakerPolicy>;
  /** Replaces global fetch (tests). */
  fetch?: typeof fetch;
  /** How early an OAuth token is refreshed before it expires. */
  tokenExpirySkewMs?: number;
}

export interface PlatformRun {
  dryRun: boolean;
  log: Logger;
}

function parseOrExplain(
  schema: z.ZodType,
  value: unknown,
): { ok: true; data: unknown } | { ok: false; message: string } {
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, message: z.prettifyError(parsed.error) };
}

/** The context and the breaker of one run; the breaker is checked first, so a paused integration does not start. */
export async function createConnectorContext(
  deps: ConnectorDeps,
  definition: PlatformDefinition,
  integration: Integration,
  run: PlatformRun,
): Promise<{ ctx: ConnectorContext; breaker: Breaker }> {
  const policy: BreakerPolicy = { ...DEFAULT_BREAKER_POLICY, ...deps.breaker };
  const breaker = createBreaker(deps.db, integration.id, policy, run.log);
  await breaker.check();

  const settings = parseOrExplain(definition.settings, integration.settings ?? {});
  if (!settings.ok) {
    throw new PermanentError(`Invalid ${definition.label} settings: ${settings.message}`, 'INVALID_SETTINGS');
  }
  let opened: Record<string, unknown> | null;
  try {
    opened = openStoredCredentials(deps.box, integration);
  } catch (err) {
    // No configured key opens them: only new credentials (a reconnect) can fix that.
    const reason = `The stored credentials cannot be opened (${err instanceof Error ? err.message : String(err)}); reconnect the integration`;
    await breaker.trip('AUTH_FAILED', reason);
    throw new PlatformAuthError(reason, null, policy.pausedRecheckMs);
  }
  const credentials = parseOrExplain(definition.credentials, opened ?? {});
  if (!credentials.ok) {
    const reason = `The ${definition.label} credentials are missing or invalid: ${credentials.message}`;
    await breaker.trip('AUTH_FAILED', reason);
    throw new PlatformAuthError(reason, null, policy.pausedRecheckMs);
  }

  const ctx: ConnectorContext = {
    integrationId: integration.id,
    settings: settings.data,
    credentials: credentials.data,
    dryRun: run.dryRun,
    log: run.log,
    http: (options) =>
      createPlatformHttp(
        {
          integrationId: integration.id,
          redis: deps.redis,
          redisPrefix: deps.redisPrefix,
          breaker,
          dryRun: run.dryRun,
          log: run.log,
          ...(deps.retry ? { retry: deps.retry } : {}),
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
        },
        options,
      ),
    oauth: (options) =>
      createOAuthStrategy(
        {
          db: deps.db,
          redis: deps.redis,
          redisPrefix: deps.redisPrefix,
          box: deps.box,
          integrationId: integration.id,
          log: run.log,
          initialTokens: () => definition.initialTokens?.(credentials.data) ?? null,
          ...(deps.tokenExpirySkewMs !== undefined ? { expirySkewMs: deps.tokenExpirySkewMs } : {}),
        },
        options,
      ),
  };
  return { ctx, breaker };
}

/** The platform connector of a real integration for one run. Bad credentials pause the integration at once. */
export async function createPlatformConnector(
  deps: ConnectorDeps,
  definition: PlatformDefinition,
  integration: Integration,
  run: PlatformRun,
): Promise<PlatformConnector> {
  const { ctx, breaker } = await createConnectorContext(deps, definition, integration, run);
  try {
    return definition.create(ctx);
  } catch (err) {
    if (err instanceof PlatformAuthError) await breaker.trip('AUTH_FAILED', err.message);
    throw err;
  }
}
