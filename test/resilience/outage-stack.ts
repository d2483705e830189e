/**
 * A whole deployment on private servers, for outage tests: a private Postgres and Redis (which the test may stop
 * and restart), the API in this process and workers as child processes of the production entrypoint. Also the
 * checks every outage test makes on the record: how each job ended and how many times.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createDatabase, type Database } from '../../db/database.ts';
import type { SyncJob } from '../../db/types.ts';
import { loadConfig } from '../../server/config.ts';
import { buildApiApp, type ApiApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import {
  createPrivatePostgres,
  createPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
} from '../helpers/private-services.ts';
import { spawnWorker, type ChildWorker } from '../helpers/stack.ts';

export interface OutageStack {
  pg: PrivatePostgres;
  redis: PrivateRedis;
  db: Database;
  env: Record<string, string>;
  api: ApiApp;
  url: string;
  workers: ChildWorker[];
  /** Starts a worker process (the production entrypoint, with the reconciler) with this stack's env plus `env`. */
  spawnWorker(env?: Record<string, string>): Promise<ChildWorker>;
  stop(): Promise<void>;
}

/** Short intervals so stalls, retries and reconciling happen within a test's time. */
export function outageEnv(pgUrl: string, redisUrl: string, overrides: Record<string, string> = {}) {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: pgUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `r${randomBytes(3).toString('hex')}`,
    LOG_LEVEL: 'silent',
    WORKER_STALL_INTERVAL_MS: '1000',
    WORKER_PROGRESS_INTERVAL_MS: '100',
    WORKER_HEARTBEAT_INTERVAL_MS: '500',
    RECONCILE_INTERVAL_MS: '500',
    RECONCILE_GRACE_MS: '300',
    JOB_RETRY_BACKOFF_MS: '200',
    JOB_CANCEL_GRACE_MS: '2000',
    WORKER_SHUTDOWN_GRACE_MS: '1000',
    // Outages, not access control, are under test: callers need no key and are not throttled.
    API_AUTH: 'off',
    API_RATE_LIMIT_PER_MINUTE: '0',
    ...overrides,
  };
}

export async function startOutageStack(overrides: Record<string, string> = {}): Promise<OutageStack> {
  const pg = await createPrivatePostgres();
  const redis = await createPrivateRedis();
  const workers: ChildWorker[] = [];
  let api: ApiApp | undefined;
  let db: Database | undefined;
  const stop = async () => {
    await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    await api?.stop().catch(() => undefined);
    await db?.destroy().catch(() => undefined);
    await Promise.all([pg.destroy(), redis.destroy()]);
  };
  try {
    await Promise.all([pg.start(), redis.start()]);
    const env = outageEnv(pg.url, redis.url, overrides);
    db = createDatabase(pg.url, { max: 5 });
    api = buildApiApp({ config: loadConfig(env), db, log: createLogger({ name: 'test', level: 'silent' }) });
    const { url } = await api.start(0, '127.0.0.1');
    return {
      pg,
      redis,
      db,
      env,
      api,
      url,
      workers,
      async spawnWorker(extra = {}) {
        const worker = await spawnWorker({ ...env, ...extra });
        workers.push(worker);
        return worker;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Creates a sandbox integration through the service layer and returns its id. */
export async function sandboxIntegration(
  stack: OutageStack,
  settings: Record<string, unknown>,
): Promise<string> {
  const created = await stack.api.services.integrations.create({ name: 'Outage store', settings });
  return created.id;
}

export interface JobOutcome {
  job: SyncJob;
  /** Events of each kind in the job's timeline (written by a trigger on every transition). */
  kinds: Record<string, number>;
}

/** The record of each job: its row and how many times its timeline went through each kind of transition. */
export async function outcomes(db: Database, ids: string[]): Promise<Map<string, JobOutcome>> {
  const result = new Map<string, JobOutcome>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const jobs = await db.selectFrom('sync_jobs').selectAll().where('id', 'in', chunk).execute();
    for (const job of jobs) result.set(job.id, { job, kinds: {} });
    const counts = await db
      .selectFrom('sync_job_events')
      .select(['job_id', 'kind', sql<number>`count(*)::int`.as('n')])
      .where('job_id', 'in', chunk)
      .groupBy(['job_id', 'kind'])
      .execute();
    for (const c of counts) result.get(c.job_id)!.kinds[c.kind] = c.n;
  }
  return result;
}

/** How many of `ids` are not yet COMPLETED, FAILED or CANCELLED. */
export async function unfinished(db: Database, ids: string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const row = await db
      .selectFrom('sync_jobs')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('id', 'in', ids.slice(i, i + 1000))
      .where('status', 'in', ['QUEUED', 'RUNNING'])
      .executeTakeFirstOrThrow();
    n += row.n;
  }
  return n;
}

/** Per job, how many of its attempts reached the end of the sync handler (its log line, by attempt). */
export async function finishedRuns(db: Database, ids: string[]): Promise<Map<string, number[]>> {
  const { rows } = await sql<{ job_id: string; attempt: number }>`
    SELECT job_id, attempt FROM sync_job_logs
    WHERE job_id = ANY(${ids}::uuid[]) AND message = 'resource sync finished'`.execute(db);
  const runs = new Map<string, number[]>();
  for (const r of rows) runs.set(r.job_id, [...(runs.get(r.job_id) ?? []), r.attempt]);
  return runs;
}
