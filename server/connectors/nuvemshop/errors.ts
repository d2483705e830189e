/**
 * How Nuvemshop's answers map onto the HTTP layer's errors. A 402 means the store (or the app's plan) is
 * unpaid: like bad credentials it pauses the integration until someone acts, and retrying cannot help.
 */
import { PlatformAuthError, PlatformRequestError } from '../http/errors.ts';
import type { PlatformHttp } from '../http/types.ts';
import { errorBodySchema } from './wire.ts';

export interface RejectedRequest {
  status: number;
  body: unknown;
  message: string;
}

/** The platform's refusal of one request (an item error), or null for anything else. */
export function requestErrorOf(err: unknown): RejectedRequest | null {
  if (!(err instanceof PlatformRequestError)) return null;
  const parsed = errorBodySchema.safeParse(err.body);
  const description = parsed.success ? parsed.data.description : undefined;
  const detail =
    typeof description === 'string'
      ? description
      : parsed.success && parsed.data.message
        ? parsed.data.message
        : err.message;
  return { status: err.status, body: err.body, message: `${err.status}: ${detail}` };
}

/** The HTTP client, with a 402 turned into an auth error whatever the layer made of it. */
export function unpaidAware(http: PlatformHttp): PlatformHttp {
  return {
    async request(req) {
      try {
        return await http.request(req);
      } catch (err) {
        if (err instanceof PlatformRequestError && err.status === 402) {
          throw new PlatformAuthError('Nuvemshop answered 402: the store or the app is unpaid', 402);
        }
        throw err;
      }
    },
  };
}
