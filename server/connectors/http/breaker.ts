/**
 * The circuit breaker of one integration as the HTTP layer uses it: refuses calls while the integration is paused,
 * counts errors against the budget (kept in Postgres, shared by every process), and opens when the budget is
 * spent: too many consecutive outages, too many errors in a window (platforms such as Bling ban an account after
 * an error storm), or at once on bad credentials. An outage pause reopens by itself after a cool-down (half-open:
 * the next call that goes through closes it); a credentials pause lasts until a reconnect or resume.
 */
import type { Database } from '../../../db/database.ts';
import {
  getBreakerState,
  pauseIntegration,
  recordIntegrationError,
  recordIntegrationSuccess,
  type BreakerState,
} from '../../../db/queries/integration-breaker.ts';
import type { Logger } from '../../logger.ts';
import { IntegrationPausedError } from './errors.ts';

export interface BreakerPolicy {
  /** Consecutive outages (5xx, timeouts, network errors, counted per try) that open the breaker. */
  maxConsecutiveFailures: number;
  /** Errors of any kind within `windowMs` that open the breaker. */
  maxErrorsInWindow: number;
  windowMs: number;
  /** How long an outage pause lasts before calls are tried again. */
  cooldownMs: number;
  /** How long a read of the pause state is trusted before Postgres is asked again. */
  checkIntervalMs: number;
  /** How long a job waits before looking again at a pause that has no reopening time. */
  pausedRecheckMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = {
  maxConsecutiveFailures: 8,
  maxErrorsInWindow: 100,
  windowMs: 10_000,
  cooldownMs: 60_000,
  checkIntervalMs: 1000,
  pausedRecheckMs: 30_000,
};

export interface Breaker {
  /** Throws IntegrationPausedError while the integration is paused (and not yet half-open). */
  check(): Promise<void>;
  success(): Promise<void>;
  /** Counts an error; `outage` ones also extend the run of consecutive failures. */
  failure(code: string, message: string, outage: boolean): Promise<void>;
  /** Opens at once (bad credentials): no reopening time. */
  trip(code: string, reason: string): Promise<void>;
  /** How long a job waits before looking again at a pause without a reopening time. */
  readonly pausedRecheckMs: number;
}

export function createBreaker(
  db: Database,
  integrationId: string,
  policy: BreakerPolicy,
  log: Logger,
): Breaker {
  let state: BreakerState | undefined;
  let readAt = 0;

  async function read(force = false): Promise<BreakerState> {
    if (force || !state || Date.now() - readAt >= policy.checkIntervalMs) {
      state = await getBreakerState(db, integrationId);
      readAt = Date.now();
    }
    return state;
  }

  function paused(s: BreakerState): boolean {
    const pause = s.pause;
    if (!pause) return false;
    return pause.pausedUntil === null || pause.pausedUntil.getTime() > Date.now();
  }

  async function open(code: string, reason: string, untilMs: number | null): Promise<void> {
    const opened = await pauseIntegration(db, integrationId, { code, reason, untilMs });
    if (opened)
      log.warn({ integrationId, code, reason, untilMs }, 'integration paused by its circuit breaker');
    await read(true);
  }

  return {
    pausedRecheckMs: policy.pausedRecheckMs,
    async check() {
      const s = await read();
      if (s.pause && paused(s)) {
        throw new IntegrationPausedError(
          integrationId,
          s.pause.reason,
          s.pause.pausedUntil,
          policy.pausedRecheckMs,
        );
      }
    },

    async success() {
      const s = await read();
      // Writes only when there is something to reset, so healthy calls cost no write.
      if (s.consecutiveFailures > 0 || s.pause) {
        await recordIntegrationSuccess(db, integrationId);
        await read(true);
      }
    },

    async failure(code, message, outage) {
      const tally = await recordIntegrationError(db, integrationId, {
        code,
        message,
        outage,
        windowMs: policy.windowMs,
      });
      if (state) state = { ...state, consecutiveFailures: tally.consecutiveFailures };
      if (tally.consecutiveFailures >= policy.maxConsecutiveFailures) {
        await open(
          'PLATFORM_UNAVAILABLE',
          `${tally.consecutiveFailures} consecutive failures, the last: ${message}`,
          policy.cooldownMs,
        );
      } else if (tally.windowErrors >= policy.maxErrorsInWindow) {
        await open(
          'ERROR_BUDGET',
          `${tally.windowErrors} errors within ${policy.windowMs} ms, the last: ${message}`,
          policy.cooldownMs,
        );
      }
    },

    async trip(code, reason) {
      await recordIntegrationError(db, integrationId, {
        code,
        message: reason,
        outage: false,
        windowMs: policy.windowMs,
      });
      await open(code, reason, null);
    },
  };
}
