/**
 * Memory: peak RSS (VmHWM from /proc/<pid>/status) of a fresh API and a fresh worker while `memoryJobs` jobs are
 * created in bulk — far faster than one worker runs them, so thousands sit queued — and then run to completion.
 * By default both run the built JavaScript (tsconfig.build.json, compiled into a temp folder), as production does:
 * the tsx loader alone adds about 90 MB to a process, which the other scenarios' processes carry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { bulkCreate, chunks } from '../lib/client.ts';
import type { BenchContext } from '../lib/context.ts';
import { EMPTY_STORE, seedPairs } from '../lib/infra.ts';
import { waitForJobs } from '../lib/jobs.ts';
import { buildJavaScript } from '../lib/processes.ts';
import { mb, sleep } from '../lib/stats.ts';

export interface MemoryResult {
  runtime: 'dist' | 'tsx';
  jobs: number;
  /** Most jobs QUEUED at once (sampled while they were created and run). */
  maxQueued: number;
  api: { idleMb: number | null; peakMb: number | null };
  worker: { idleMb: number | null; peakMb: number | null };
  /** RSS over time, every 500 ms: [seconds since the first bulk call, API MB, worker MB]. */
  rssSeries: [number, number | null, number | null][];
  /** RSS at the end, after every job completed (compare with the peak: growth that stays is a leak suspect). */
  endMb: { api: number | null; worker: number | null };
  completed: number;
  unsuccessful: number;
}

export async function runMemory(ctx: BenchContext): Promise<MemoryResult> {
  const { memoryJobs: jobs, memoryRuntime: runtime, batchSize } = ctx.options;
  let build: string | undefined;
  try {
    if (runtime === 'dist') {
      build = mkdtempSync(join(tmpdir(), 'sync-bench-build-'));
      ctx.log(`memory: compiling the server into ${build}`);
      const problems = buildJavaScript(build, ctx.options.serverRoot);
      if (problems)
        ctx.log(`memory: tsc reported type errors but emitted the server; using it:\n${problems}`);
    }
    const pairs = (await seedPairs(ctx.db, jobs, EMPTY_STORE, 'memory')).slice(0, jobs);
    const api = await ctx.startApi('api-memory', build);
    const worker = await ctx.startWorker('worker-memory', api, {}, build);
    try {
      await sleep(500);
      const idle = { api: mb(api.rss()), worker: mb(worker.rss()) };
      let maxQueued = 0;
      let sampling = true;
      const started = Date.now();
      const rssSeries: MemoryResult['rssSeries'] = [];
      const sampler = (async () => {
        for (let i = 0; sampling; i++) {
          const { rows } = await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM sync_jobs WHERE status = 'QUEUED'`.execute(ctx.db);
          maxQueued = Math.max(maxQueued, rows[0]?.n ?? 0);
          if (i % 2 === 0) {
            rssSeries.push([Math.round((Date.now() - started) / 100) / 10, mb(api.rss()), mb(worker.rss())]);
          }
          await sleep(250);
        }
      })();
      const ids: string[] = [];
      for (const batch of chunks(pairs, batchSize)) ids.push(...(await bulkCreate(api.url, batch)).ids);
      const done = await waitForJobs(ctx.db, ids, {
        timeoutMs: Math.max(120_000, jobs * 30),
        intervalMs: 500,
        what: 'the memory scenario jobs to finish',
      });
      sampling = false;
      await sampler;
      await sleep(1000);
      return {
        runtime,
        jobs: ids.length,
        maxQueued,
        api: { idleMb: idle.api, peakMb: mb(api.peakRss()) },
        worker: { idleMb: idle.worker, peakMb: mb(worker.peakRss()) },
        rssSeries,
        endMb: { api: mb(api.rss()), worker: mb(worker.rss()) },
        completed: done.completed,
        unsuccessful: done.unsuccessful,
      };
    } finally {
      await ctx.stop(worker);
      await ctx.stop(api);
    }
  } finally {
    if (build) rmSync(build, { recursive: true, force: true });
  }
}
