/**
 * Bulk accept: the HTTP round trip of one `bulkCreateSyncJobs` call of `batchSize` jobs, on a quiet system (each
 * call waits until the jobs of the one before have completed, so the worker does not compete for the CPU).
 */
import { bulkCreate } from '../lib/client.ts';
import type { BenchContext } from '../lib/context.ts';
import { EMPTY_STORE, seedPairs } from '../lib/infra.ts';
import { waitForJobs } from '../lib/jobs.ts';
import type { ApiProcess } from '../lib/processes.ts';
import { distribution, type Distribution } from '../lib/stats.ts';

export interface BulkAcceptResult {
  calls: number;
  batchSize: number;
  ms: Distribution;
  created: number;
  completed: number;
  unsuccessful: number;
}

export async function runBulkAccept(ctx: BenchContext, api: ApiProcess): Promise<BulkAcceptResult> {
  const { bulkCalls: calls, batchSize } = ctx.options;
  const pairs = await seedPairs(ctx.db, calls * batchSize, EMPTY_STORE, 'bulk');
  const samples: number[] = [];
  let created = 0;
  let completed = 0;
  let unsuccessful = 0;
  for (let i = 0; i < calls; i++) {
    const result = await bulkCreate(api.url, pairs.slice(i * batchSize, (i + 1) * batchSize));
    samples.push(result.ms);
    created += result.created;
    const done = await waitForJobs(ctx.db, result.ids, { timeoutMs: 120_000, intervalMs: 100 });
    completed += done.completed;
    unsuccessful += done.unsuccessful;
  }
  return { calls, batchSize, ms: distribution(samples), created, completed, unsuccessful };
}
