/**
 * The baseline: Bee-Queue alone on the same Redis, configured like the app's queues (no events, no stored jobs,
 * removeOnSuccess), a no-op handler, jobs saved with one `saveAll` that is not awaited before processing starts —
 * the shape of Bee-Queue's own benchmark harness.
 */
import BeeQueue from 'bee-queue';
import type { BenchContext } from '../lib/context.ts';

export interface RawQueueResult {
  jobs: number;
  concurrency: number;
  warmupJobs: number;
  ms: number;
  jobsPerSec: number;
  saveErrors: number;
}

export async function runRawQueue(ctx: BenchContext): Promise<RawQueueResult> {
  const { rawJobs: jobs, rawConcurrency: concurrency } = ctx.options;
  const queue = new BeeQueue('raw', {
    prefix: `${ctx.prefix}:rawbq`,
    redis: { url: ctx.options.redisUrl } as BeeQueue.QueueSettings['redis'],
    isWorker: true,
    getEvents: false,
    sendEvents: false,
    storeJobs: false,
    activateDelayedJobs: false,
    removeOnSuccess: true,
    removeOnFailure: true,
  });
  queue.on('error', (err: Error) => ctx.log(`raw queue error: ${err.message}`));
  await queue.ready();
  queue.process(concurrency, async () => undefined);

  async function round(n: number): Promise<{ ms: number; saveErrors: number }> {
    let done = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const onSucceeded = () => {
      if (++done === n) finish();
    };
    queue.on('succeeded', onSucceeded);
    const batch = Array.from({ length: n }, () => queue.createJob({}));
    const started = performance.now();
    const saving = queue.saveAll(batch);
    await finished;
    const ms = performance.now() - started;
    queue.off('succeeded', onSucceeded);
    const errors = await saving;
    return { ms, saveErrors: errors.size };
  }

  try {
    // A short warm-up so the measured round does not pay for JIT compilation and connection setup.
    const warmupJobs = Math.min(1000, Math.max(50, Math.floor(jobs / 10)));
    await round(warmupJobs);
    const { ms, saveErrors } = await round(jobs);
    return {
      jobs,
      concurrency,
      warmupJobs,
      ms: Math.round(ms),
      jobsPerSec: Math.round((jobs / ms) * 1000),
      saveErrors,
    };
  } finally {
    await queue.close(5000);
  }
}
