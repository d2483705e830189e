/**
 * Riding out a Postgres restart or failover: which errors mean "the database was unreachable" (as opposed to a bad
 * statement), and a retry with backoff for the state writes a worker must not lose.
 */
import { setTimeout as delay } from 'node:timers/promises';

// Connection exceptions (08xxx) and operator intervention (57P01 admin shutdown, 57P02 crash shutdown,
// 57P03 cannot connect now: the server is starting or stopping).
const SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03']);
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// What node-postgres says when the socket goes away under a client, or a pooled client cannot connect in time.
const MESSAGES = [
  'Connection terminated',
  'connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
];

/** Whether `err` means Postgres could not be reached or dropped the connection (worth retrying). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  if (err instanceof AggregateError && err.errors.some(isDatabaseUnavailable)) return true;
  return MESSAGES.some((m) => err.message.includes(m));
}

export interface RetryOptions {
  /** Give up (rethrow the last error) after this long. */
  deadlineMs: number;
  /** First pause; doubles up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (err: unknown, attempt: number) => void;
}

/**
 * Runs `write` until it succeeds, retrying only while the database is unavailable. `retried` tells the caller
 * whether an earlier try failed: such a try may still have committed (the reply was lost), which a guarded write
 * then sees as "no longer mine" and must check.
 */
export async function retryWhileDatabaseUnavailable<T>(
  write: (retried: boolean) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const deadline = Date.now() + options.deadlineMs;
  let pause = options.initialDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write(attempt > 1);
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + pause > deadline) throw err;
      options.onRetry?.(err, attempt);
      await delay(pause);
      pause = Math.min(pause * 2, options.maxDelayMs ?? 2000);
    }
  }
}
