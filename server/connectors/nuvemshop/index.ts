/**
 * The Nuvemshop platform definition: settings and credentials schemas, and the connector built on the
 * integration's HTTP client. The token is static (Nuvemshop tokens do not expire), so a 401 means the app was
 * uninstalled or the token revoked: no refresh is attempted and the integration pauses. So does a 402 (the store
 * or the app is unpaid), which the HTTP layer treats as an auth error: paused, not retried.
 */
import { staticAuth } from '../http/client.ts';
import type { AuthStrategy, RateLimitPolicy } from '../http/types.ts';
import type { ChannelConnector, PlatformDefinition } from '../platform.ts';
import { createNuvemshopConnector } from './connector.ts';
import {
  nuvemshopCredentialsSchema,
  nuvemshopSettingsSchema,
  type NuvemshopCredentials,
} from './settings.ts';

export { createNuvemshopConnector, nuvemshopLimits } from './connector.ts';
export {
  nuvemshopCredentialsSchema,
  nuvemshopSettingsSchema,
  type NuvemshopCredentials,
  type NuvemshopSettings,
} from './settings.ts';

function readInt(headers: Headers, name: string): number | null {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

/** The store's leaky bucket: 40 calls, draining 2 per second; each response tells the store's own view. */
export const nuvemshopRateLimit: RateLimitPolicy = {
  burst: 40,
  perSecond: 2,
  fromHeaders(headers) {
    const remaining = readInt(headers, 'x-rate-limit-remaining');
    const resetMs = readInt(headers, 'x-rate-limit-reset');
    if (remaining === null || resetMs === null) return null;
    return { remaining, resetMs };
  },
};

/** `Authentication: bearer <token>`: the header Nuvemshop documents (it also accepts `Authorization: Bearer`). */
export function nuvemshopStaticToken(credentials: NuvemshopCredentials): AuthStrategy {
  return staticAuth({ Authentication: `bearer ${credentials.accessToken}` });
}

export const nuvemshopPlatform: PlatformDefinition<ChannelConnector> = {
  platform: 'NUVEMSHOP',
  role: 'channel',
  label: 'Nuvemshop',
  settings: nuvemshopSettingsSchema,
  credentials: nuvemshopCredentialsSchema,
  create(ctx) {
    const settings = nuvemshopSettingsSchema.parse(ctx.settings);
    const credentials = nuvemshopCredentialsSchema.parse(ctx.credentials);
    const http = ctx.http({
      baseUrl: `${settings.baseUrl}/${settings.storeId}`,
      rateLimit: nuvemshopRateLimit,
      auth: nuvemshopStaticToken(credentials),
      defaultHeaders: { 'User-Agent': settings.userAgent },
    });
    return createNuvemshopConnector(http);
  },
};
