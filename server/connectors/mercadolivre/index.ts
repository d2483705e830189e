/**
 * The Mercado Livre platform definition: settings and credentials schemas, the seed of the token store, and the
 * connector built on the integration's HTTP client with the shared OAuth strategy. Mercado Livre's refresh
 * tokens are single-use, so the refresh below only performs the token call: the strategy runs it once per
 * integration at a time (across processes) and saves the new refresh token before the access token is used.
 */
import { staticAuth } from '../http/client.ts';
import type { PlatformHttp, RateLimitPolicy } from '../http/types.ts';
import type { ChannelConnector, OAuthTokens, PlatformDefinition } from '../platform.ts';
import { createMercadoLivreConnector } from './connector.ts';
import {
  mercadoLivreCredentialsSchema,
  mercadoLivreSettingsSchema,
  type MercadoLivreCredentials,
  type MercadoLivreSettings,
} from './settings.ts';
import { initialOAuthTokens, requestRefreshGrant } from '../http/oauth-grant.ts';

export { createMercadoLivreConnector, mercadoLivreLimits } from './connector.ts';
export { listMercadoLivreOrders, normaliseOrderStatus, toMlDate } from './orders.ts';
export {
  MERCADO_LIVRE_DEFAULT_BASE_URL,
  mercadoLivreCredentialsSchema,
  mercadoLivreSettingsSchema,
  type MercadoLivreCredentials,
  type MercadoLivreSettings,
} from './settings.ts';

export function mercadoLivreRateLimit(settings: MercadoLivreSettings): RateLimitPolicy {
  return { burst: settings.rateLimit.burst, perSecond: settings.rateLimit.perSecond };
}

/** `POST /oauth/token grant_type=refresh_token` (form body): the old refresh token dies, a new one comes back. */
export function refreshMercadoLivreTokens(
  http: PlatformHttp,
  credentials: MercadoLivreCredentials,
  refreshToken: string,
  signal: AbortSignal,
): Promise<OAuthTokens> {
  const form = {
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    refresh_token: refreshToken,
  };
  return requestRefreshGrant(http, form, signal);
}

/** The credentials' tokens; without an access token (or its expiry) the first call refreshes. */
export const mercadoLivreInitialTokens = initialOAuthTokens;

export const mercadoLivrePlatform: PlatformDefinition<ChannelConnector> = {
  platform: 'MERCADO_LIVRE',
  role: 'channel',
  label: 'Mercado Livre',
  settings: mercadoLivreSettingsSchema,
  credentials: mercadoLivreCredentialsSchema,
  initialTokens: mercadoLivreInitialTokens,
  create(ctx) {
    const settings = mercadoLivreSettingsSchema.parse(ctx.settings);
    const credentials = mercadoLivreCredentialsSchema.parse(ctx.credentials);
    const rateLimit = mercadoLivreRateLimit(settings);
    // The token endpoint takes no Bearer token; it shares the integration's rate limit.
    const tokenHttp = ctx.http({ baseUrl: settings.baseUrl, rateLimit, auth: staticAuth() });
    const auth = ctx.oauth({
      refresh: (refreshToken, signal) =>
        refreshMercadoLivreTokens(tokenHttp, credentials, refreshToken, signal),
    });
    const http = ctx.http({ baseUrl: settings.baseUrl, rateLimit, auth });
    return createMercadoLivreConnector(http, settings);
  },
};
