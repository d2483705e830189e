/** Nuvemshop's refusals of one request (`{ code, message, description }`), read as item errors. */
import { PlatformRequestError } from '../http/errors.ts';
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
