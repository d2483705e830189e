/**
 * The OAuth pieces Bling and Mercado Livre share: the credentials an integration stores, the tokens they seed, and
 * the `grant_type=refresh_token` call (a form POST answered with a new access token and a new refresh token).
 */
import { z } from 'zod';
import type { OAuthTokens } from '../platform.ts';
import type { PlatformHttp } from './types.ts';

export const oauthCredentialsSchema = z
  .object({
    clientId: z.string().trim().min(1),
    clientSecret: z.string().trim().min(1),
    /** The refresh token of the grant; each refresh returns a new one and the old one stops working. */
    refreshToken: z.string().trim().min(1),
    accessToken: z.string().trim().min(1).optional(),
    /** When `accessToken` expires (ISO-8601); without it the access token is refreshed before first use. */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export type OAuthCredentials = z.infer<typeof oauthCredentialsSchema>;

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
});

/** The credentials' tokens; without an access token (or its expiry) the first call refreshes. */
export function initialOAuthTokens(credentials: unknown): OAuthTokens {
  const c = oauthCredentialsSchema.parse(credentials);
  if (c.accessToken !== undefined && c.expiresAt !== undefined) {
    return { accessToken: c.accessToken, refreshToken: c.refreshToken, expiresAt: new Date(c.expiresAt) };
  }
  return { accessToken: '', refreshToken: c.refreshToken, expiresAt: new Date(0) };
}

/** `POST /oauth/token` with `grant_type=refresh_token` and the platform's other form fields. */
export async function requestRefreshGrant(
  http: PlatformHttp,
  form: Record<string, string>,
  signal: AbortSignal,
): Promise<OAuthTokens> {
  const requestedAt = Date.now();
  const response = await http.request<unknown>({
    method: 'POST',
    path: '/oauth/token',
    body: new URLSearchParams({ grant_type: 'refresh_token', ...form }),
    // The platform consumed the refresh token if it saw the call: sending it again could only be refused.
    idempotent: false,
    signal,
  });
  const body = tokenResponseSchema.parse(response.body);
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    // Counted from when the call was sent, so the token is never believed to live longer than it does.
    expiresAt: new Date(requestedAt + body.expires_in * 1000),
  };
}
