/** Controllable handlers for runner tests: they count calls and do what each test scripts. */
import { setTimeout as delay } from 'node:timers/promises';
import {
  syncOptionsSchema,
  type HandlerContext,
  type AnyJobHandler,
  type JobHandler,
  type JobResultSummary,
  type SyncOptions,
} from '../../server/handlers/handler.ts';

export type Script = (ctx: HandlerContext<SyncOptions>, call: number) => Promise<JobResultSummary>;

export interface ScriptedHandlers {
  getHandler: (type: string) => AnyJobHandler | undefined;
  calls: Map<string, number>;
  setScript(script: Script): void;
}

/** Every sync type runs the current script; `calls` counts invocations per job id. */
export function scriptedHandlers(initial: Script): ScriptedHandlers {
  let script = initial;
  const calls = new Map<string, number>();
  const handler: JobHandler<SyncOptions> = {
    type: 'PRODUCTS',
    options: syncOptionsSchema,
    run: (ctx) => {
      const n = (calls.get(ctx.job.id) ?? 0) + 1;
      calls.set(ctx.job.id, n);
      return script(ctx, n);
    },
  };
  return { getHandler: () => handler, calls, setScript: (s) => (script = s) };
}

/** Reports progress every few milliseconds until the signal aborts, then throws its reason (a checkpoint loop). */
export async function runUntilAborted(
  ctx: HandlerContext<SyncOptions>,
  stepMs = 10,
): Promise<JobResultSummary> {
  let processed = 0;
  for (;;) {
    ctx.signal.throwIfAborted();
    processed++;
    ctx.progress({ processed, total: 1_000_000, failed: 0, message: `step ${processed}` });
    await delay(stepMs, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}
