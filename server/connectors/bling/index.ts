/**
 * The Bling platform definition: settings and credentials schemas, the seed of the token store, and the ERP
 * connector built on the integration's HTTP client with the shared OAuth strategy. Bling rotates refresh tokens
 * (the used one dies), so the refresh below only performs the token call — `POST /oauth/token` with the app's
 * Basic credentials and a form body — and the strategy saves the new pair before using it. Every call carries
 * `enable-jwt: 1`, Bling's switch to JWT access tokens.
 */
import { staticAuth } from '../http/client.ts';
import type { PlatformHttp, RateLimitPolicy } from '../http/types.ts';
import type { ErpConnector, OAuthTokens, PlatformDefinition } from '../platform.ts';
import { createBlingConnector } from './connector.ts';
import { withBlingErrors } from './errors.ts';
import {
  blingCredentialsSchema,
  blingSettingsSchema,
  type BlingCredentials,
  type BlingSettings,
} from './settings.ts';
import { initialOAuthTokens, requestRefreshGrant } from '../http/oauth-grant.ts';

export { BLING_MAX_PAGE_SIZE, blingLimits, createBlingConnector } from './connector.ts';
export { BLING_IP_BLOCK_MS, describeBlingError, withBlingErrors } from './errors.ts';
export {
  BLING_DEFAULT_BASE_URL,
  blingCredentialsSchema,
  blingSettingsSchema,
  type BlingCredentials,
  type BlingSettings,
} from './settings.ts';
export { fromBlingDateTime, toBlingDate, toBlingDateTime } from './time.ts';

const JWT_HEADERS = { 'enable-jwt': '1' };

export function blingRateLimit(settings: BlingSettings): RateLimitPolicy {
  return { burst: settings.rateLimit.burst, perSecond: settings.rateLimit.perSecond };
}

/** `POST /oauth/token grant_type=refresh_token`: a new access token and a new refresh token (the old one dies). */
export function refreshBlingTokens(
  http: PlatformHttp,
  refreshToken: string,
  signal: AbortSignal,
): Promise<OAuthTokens> {
  return requestRefreshGrant(http, { refresh_token: refreshToken }, signal);
}

/** The credentials' tokens; without an access token (or its expiry) the first call refreshes. */
export const blingInitialTokens = initialOAuthTokens;

function basicAuth(credentials: BlingCredentials): Record<string, string> {
  const pair = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
  return { authorization: `Basic ${pair}` };
}

export const blingPlatform: PlatformDefinition<ErpConnector> = {
  platform: 'BLING',
  role: 'erp',
  label: 'Bling',
  settings: blingSettingsSchema,
  credentials: blingCredentialsSchema,
  initialTokens: blingInitialTokens,
  create(ctx) {
    const settings = blingSettingsSchema.parse(ctx.settings);
    const credentials = blingCredentialsSchema.parse(ctx.credentials);
    const rateLimit = blingRateLimit(settings);
    // The token endpoint authenticates the app, not the account; it shares the account's rate limit.
    const tokenHttp = ctx.http({
      baseUrl: settings.baseUrl,
      rateLimit,
      auth: staticAuth(basicAuth(credentials)),
      defaultHeaders: JWT_HEADERS,
    });
    const auth = ctx.oauth({
      refresh: (refreshToken, signal) => refreshBlingTokens(tokenHttp, refreshToken, signal),
    });
    const http = withBlingErrors(
      ctx.http({ baseUrl: settings.baseUrl, rateLimit, auth, defaultHeaders: JWT_HEADERS }),
    );
    return createBlingConnector(http, settings);
  },
};
