/** How Mercado Livre's refusals read as item errors: `{message, error, status, cause:[{code, message}]}`. */
import { PlatformRequestError } from '../http/errors.ts';
import type { ItemResult } from '../connector.ts';
import { errorBodySchema } from './wire.ts';

export interface RejectedRequest {
  status: number;
  message: string;
}

/** The platform's refusal of one request (an item error), or null for anything else. */
export function requestErrorOf(err: unknown): RejectedRequest | null {
  if (!(err instanceof PlatformRequestError)) return null;
  const parsed = errorBodySchema.safeParse(err.body);
  if (!parsed.success) return { status: err.status, message: err.message };
  const causes = (parsed.data.cause ?? [])
    .map((c) => (typeof c === 'string' ? c : (c.message ?? c.code)))
    .filter((c): c is string => Boolean(c));
  const head = parsed.data.message ?? parsed.data.error ?? err.message;
  return { status: err.status, message: `${err.status}: ${[head, ...causes].join('; ')}` };
}

/** An item result for a refused request; anything else (auth, outage, rate limit) is rethrown for the job. */
export function failure(key: string, err: unknown): ItemResult {
  const rejected = requestErrorOf(err);
  if (!rejected) throw err;
  return {
    key,
    status: 'failed',
    code: rejected.status === 404 ? 'NOT_FOUND' : 'REJECTED',
    message: rejected.message,
  };
}
