/**
 * How Bling's refusals map onto the HTTP layer's errors, beyond what the layer already does (401 → refresh or
 * auth error, 429 → back off). A 403 `insufficient_scope` means the app lacks a permission: only a reconnect
 * helps, so it is an auth error. Any other 403 is Bling's IP block (after error or request storms): it lasts
 * about ten minutes, so the call is rate limited for that long instead of failing items one by one.
 */
import { PlatformAuthError, PlatformRateLimitedError, PlatformRequestError } from '../http/errors.ts';
import type { PlatformHttp } from '../http/types.ts';
import { errorBodySchema } from './wire.ts';

export const BLING_IP_BLOCK_MS = 10 * 60_000;

/** Bling's own words for a refused request: description, then each field message. */
export function describeBlingError(err: PlatformRequestError): string {
  const parsed = errorBodySchema.safeParse(err.body);
  if (!parsed.success) return err.message;
  const e = parsed.data.error;
  const fields = (e.fields ?? []).map((f) => f.msg).filter((m): m is string => Boolean(m));
  const main = e.description ?? e.message ?? e.type ?? err.message;
  return [`${err.status}: ${main}`, ...fields].join('; ');
}

function errorType(body: unknown): string | undefined {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data.error.type : undefined;
}

export function withBlingErrors(http: PlatformHttp): PlatformHttp {
  return {
    async request(req) {
      try {
        return await http.request(req);
      } catch (err) {
        if (err instanceof PlatformRequestError && err.status === 403) {
          if (errorType(err.body) === 'insufficient_scope') {
            throw new PlatformAuthError(
              `Bling refused the app's permissions (${describeBlingError(err)}); reconnect with the needed scopes`,
              403,
            );
          }
          throw new PlatformRateLimitedError(
            `Bling blocked the caller's IP (${describeBlingError(err)})`,
            BLING_IP_BLOCK_MS,
          );
        }
        throw err;
      }
    },
  };
}
