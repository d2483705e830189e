/**
 * End to end: N jobs that do no sync work, created with `bulkCreateSyncJobs` over HTTP in batches (one after
 * another, while the worker already consumes), until every job is COMPLETED in Postgres. Throughput is N over the
 * time from the first request to the last `finished_at`. Every event the jobs publish is counted on the way.
 */
import { bulkCreate, chunks } from '../lib/client.ts';
import type { BenchContext } from '../lib/context.ts';
import { cpuBetween, sampleCpu, type CpuUse } from '../lib/cpu.ts';
import { EMPTY_STORE, seedPairs } from '../lib/infra.ts';
import { countJobEvents, waitForJobs } from '../lib/jobs.ts';
import type { ApiProcess, RoleProcess } from '../lib/processes.ts';
import { distribution, type Distribution } from '../lib/stats.ts';

export interface EndToEndResult {
  jobs: number;
  batchSize: number;
  workerConcurrency: number;
  /** First request sent → last job's finished_at. */
  ms: number;
  jobsPerSec: number;
  /** Round trip of each bulk call, made while the worker was busy with the earlier batches. */
  bulkCallMs: Distribution;
  /** Time until every batch had been accepted. */
  acceptMs: number;
  completed: number;
  unsuccessful: number;
  deduplicated: number;
  events: { total: number; perJob: number; byKind: Record<string, number> };
  /** CPU per party from the first request until completion was seen; `perUnit` is per job. */
  cpu: CpuUse;
}

export async function runEndToEnd(
  ctx: BenchContext,
  api: ApiProcess,
  worker: RoleProcess,
): Promise<EndToEndResult> {
  const { e2eJobs: jobs, batchSize } = ctx.options;
  const pairs = (await seedPairs(ctx.db, jobs, EMPTY_STORE, 'e2e')).slice(0, jobs);
  const events = await countJobEvents(ctx.options.redisUrl, ctx.prefix);
  try {
    const ids: string[] = [];
    const callMs: number[] = [];
    let deduplicated = 0;
    const sample = () =>
      sampleCpu(ctx.db, ctx.database.name, ctx.options.redisUrl, { api: api.pid, worker: worker.pid });
    const before = await sample();
    const started = Date.now();
    for (const batch of chunks(pairs, batchSize)) {
      const result = await bulkCreate(api.url, batch);
      callMs.push(result.ms);
      deduplicated += result.deduplicated;
      ids.push(...result.ids);
    }
    const acceptMs = Date.now() - started;
    ctx.log(`e2e: ${ids.length} jobs accepted in ${acceptMs} ms; waiting for completion`);
    const done = await waitForJobs(ctx.db, ids, {
      timeoutMs: Math.max(120_000, jobs * 30),
      intervalMs: 500,
      what: 'the end-to-end jobs to finish',
    });
    const after = await sample();
    const ms = (done.lastFinishedAt ?? Date.now()) - started;
    // The last events may still be in flight when Postgres already says COMPLETED.
    const expected = ids.length * 4;
    for (let i = 0; i < 20 && events.total() < expected; i++) await new Promise((r) => setTimeout(r, 50));
    return {
      jobs: ids.length,
      batchSize,
      workerConcurrency: ctx.options.workerConcurrency,
      ms,
      jobsPerSec: Math.round((ids.length / ms) * 1000),
      bulkCallMs: distribution(callMs),
      acceptMs,
      completed: done.completed,
      unsuccessful: done.unsuccessful,
      deduplicated,
      events: {
        total: events.total(),
        perJob: Math.round((events.total() / Math.max(1, ids.length)) * 100) / 100,
        byKind: { ...events.counts },
      },
      cpu: cpuBetween(before, after, ids.length),
    };
  } finally {
    await events.close();
  }
}
