/**
 * Fan-out: subscribers watching running jobs whose progress changes, through the API's graphql-ws `jobUpdated(id)`
 * and, in the same run, through a raw baseline (one Redis subscriber + a plain `ws` server relaying the message).
 *
 * The bench process plays the workers: it publishes PROGRESS events exactly as they do, with
 * `createJobEventPublisher` (channels `<prefix>:jobUpdated:<id>` and `<prefix>:jobEvents`, JSON {kind, job, at}),
 * each snapshot with a higher `version` and `updated_at` = the send time, at most `fanoutRatePerJob` per second per
 * job (a worker's coalescing allows 4). The send time (sub-ms) rides in `message`; the subscriber process
 * (bench/children/fanout-subscribers.ts) takes receive − send for each delivery.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { SyncJob } from '../../db/types.ts';
import { createJobEventPublisher, type JobEventPublisher } from '../../server/events/job-events.ts';
import { benchAuthHeaders } from '../lib/client.ts';
import type { BenchContext } from '../lib/context.ts';
import { EMPTY_STORE, seedIntegrations } from '../lib/infra.ts';
import { spawnScript, waitForOutput, type ApiProcess, type RoleProcess } from '../lib/processes.ts';
import { distribution, mb, preciseNow, sleep, type Distribution } from '../lib/stats.ts';

const SUBSCRIBERS = fileURLToPath(new URL('../children/fanout-subscribers.ts', import.meta.url));
const RAW_SERVER = fileURLToPath(new URL('../children/raw-ws-server.ts', import.meta.url));

export interface FanoutRun {
  subscribers: number;
  connectMs: number;
  published: number;
  expectedDeliveries: number;
  delivered: number;
  latencyMs: Distribution;
  errors: string[];
}

export interface FanoutResult {
  jobs: number;
  subscribersPerJob: number;
  ratePerJob: number;
  durationS: number;
  graphql: FanoutRun;
  raw: FanoutRun;
  apiPeakMb: number | null;
}

type ChildMessage =
  | { type: 'ready'; subscribers: number; ms: number }
  | { type: 'samples'; samples: number[]; received: number; errors: string[] }
  | { type: 'failed'; error: string }
  | { type: 'closed' };

function request<T extends ChildMessage['type']>(
  proc: RoleProcess,
  message: unknown,
  expect: T,
  timeoutMs: number,
): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.child.off('message', onMessage);
      reject(new Error(`subscribers did not answer "${expect}" in ${timeoutMs} ms:\n${proc.output()}`));
    }, timeoutMs);
    const onMessage = (m: ChildMessage) => {
      if (m.type === 'failed') {
        clearTimeout(timer);
        proc.child.off('message', onMessage);
        reject(new Error(`subscribers failed: ${m.error}\n${proc.output()}`));
      } else if (m.type === expect) {
        clearTimeout(timer);
        proc.child.off('message', onMessage);
        resolve(m as Extract<ChildMessage, { type: T }>);
      }
    };
    proc.child.on('message', onMessage);
    proc.child.send(message as object);
  });
}

/** Publishes PROGRESS snapshots for every job at `ratePerJob`, evenly staggered; returns the send times used. */
async function publishProgress(
  publisher: JobEventPublisher,
  jobs: SyncJob[],
  versions: Map<string, number>,
  ratePerJob: number,
  durationMs: number,
): Promise<number[]> {
  const periodMs = 1000 / ratePerJob;
  const slotMs = periodMs / jobs.length;
  const rounds = Math.max(1, Math.floor(durationMs / periodMs));
  const sent: number[] = [];
  const origin = performance.now() + 20;
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < jobs.length; j++) {
      const due = origin + round * periodMs + j * slotMs;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const job = jobs[j]!;
      const version = versions.get(job.id)! + 1;
      versions.set(job.id, version);
      const sentAt = preciseNow();
      sent.push(sentAt);
      await publisher.publish([
        {
          kind: 'PROGRESS',
          job: {
            ...job,
            version,
            processed_items: round + 1,
            progress: Math.min(100, round),
            message: sentAt.toFixed(3),
            updated_at: new Date(sentAt),
            heartbeat_at: new Date(sentAt),
          },
        },
      ]);
    }
  }
  return sent;
}

async function measure(
  ctx: BenchContext,
  mode: 'graphql' | 'raw',
  url: string,
  jobs: SyncJob[],
  versions: Map<string, number>,
  publisher: JobEventPublisher,
): Promise<FanoutRun> {
  const o = ctx.options;
  const perJob = Math.max(1, Math.round(o.fanoutSubscribers / o.fanoutJobs));
  const subscribers = spawnScript('helper', `subscribers-${mode}`, SUBSCRIBERS, {}, { ipc: true });
  ctx.processes.add(subscribers);
  try {
    const ready = await request(
      subscribers,
      {
        type: 'start',
        mode,
        url,
        jobIds: jobs.map((j) => j.id),
        perJob,
        authorization: benchAuthHeaders().authorization,
      },
      'ready',
      120_000,
    );
    ctx.log(`fanout ${mode}: ${ready.subscribers} subscribers connected in ${ready.ms} ms; publishing`);
    const warmupMs = Math.min(1000, (o.fanoutDurationS * 1000) / 4);
    const sent = await publishProgress(
      publisher,
      jobs,
      versions,
      o.fanoutRatePerJob,
      o.fanoutDurationS * 1000,
    );
    await sleep(500); // deliveries still in flight
    const measuredFrom = (sent[0] ?? 0) + warmupMs;
    const { samples, errors } = await request(subscribers, { type: 'collect' }, 'samples', 60_000);
    const latencies: number[] = [];
    for (let i = 0; i < samples.length; i += 2)
      if (samples[i]! >= measuredFrom) latencies.push(samples[i + 1]!);
    const published = sent.filter((t) => t >= measuredFrom).length;
    await request(subscribers, { type: 'close' }, 'closed', 30_000).catch(() => undefined);
    return {
      subscribers: ready.subscribers,
      connectMs: ready.ms,
      published,
      expectedDeliveries: published * perJob,
      delivered: latencies.length,
      latencyMs: distribution(latencies),
      errors,
    };
  } finally {
    await subscribers.stop(5000);
    ctx.processes.delete(subscribers);
  }
}

export async function runFanout(ctx: BenchContext, api: ApiProcess): Promise<FanoutResult> {
  const o = ctx.options;
  const [integrationId] = await seedIntegrations(ctx.db, 1, EMPTY_STORE, 'fanout');
  // Jobs "held by a worker": RUNNING rows, as the worker's claim leaves them.
  const jobs = await ctx.db
    .insertInto('sync_jobs')
    .values(
      Array.from({ length: o.fanoutJobs }, (_, i) => ({
        id: randomUUID(),
        integration_id: integrationId!,
        sync_type: (['PRODUCTS', 'INVENTORY', 'ORDERS'] as const)[i % 3]!,
        priority: 'NORMAL' as const,
        origin: 'API' as const,
        queue: 'sync_products' as const,
        status: 'RUNNING' as const,
        options: JSON.stringify({ fullSync: false, batchSize: 100, dryRun: false }),
        max_attempts: 3,
        attempts: 1,
        started_at: new Date(),
      })),
    )
    .returningAll()
    .execute();
  const versions = new Map(jobs.map((j) => [j.id, j.version]));
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 2 });
  const publisher = createJobEventPublisher(redis, ctx.prefix);
  const rawServer = spawnScript('helper', 'raw-ws-server', RAW_SERVER, {
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: ctx.prefix,
  });
  ctx.processes.add(rawServer);
  try {
    const port = (await waitForOutput(rawServer, /\{"listening":(\d+)\}/, 30_000))[1];
    const raw = await measure(ctx, 'raw', `ws://127.0.0.1:${port}`, jobs, versions, publisher);
    await ctx.stop(rawServer);
    const graphql = await measure(
      ctx,
      'graphql',
      `${api.url.replace(/^http/, 'ws')}/graphql`,
      jobs,
      versions,
      publisher,
    );
    const apiPeakMb = mb(api.peakRss());
    // The jobs end as a worker would end them, so nothing is left RUNNING.
    const finished = await ctx.db
      .updateTable('sync_jobs')
      .set({ status: 'COMPLETED', progress: 100, finished_at: new Date(), updated_at: new Date() })
      .where(
        'id',
        'in',
        jobs.map((j) => j.id),
      )
      .returningAll()
      .execute();
    await publisher.publish(
      finished.map((job) => ({
        kind: 'COMPLETED' as const,
        job: { ...job, version: versions.get(job.id)! + 1 },
      })),
    );
    return {
      jobs: jobs.length,
      subscribersPerJob: Math.max(1, Math.round(o.fanoutSubscribers / o.fanoutJobs)),
      ratePerJob: o.fanoutRatePerJob,
      durationS: o.fanoutDurationS,
      graphql,
      raw,
      apiPeakMb,
    };
  } finally {
    await ctx.stop(rawServer);
    redis.disconnect();
  }
}
