/** What every scenario gets: the run's database, Redis prefix, child-process starters and a progress logger. */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database.ts';
import { createJob } from './client.ts';
import { createApiKeyService } from '../../server/auth/api-key-service.ts';
import { useBenchApiKey } from './client.ts';
import { EMPTY_STORE, seedPairs, type BenchDatabase, type Pair } from './infra.ts';
import type { BenchOptions } from './options.ts';
import {
  startApi,
  startWorker,
  type ApiProcess,
  type ProfileSettings,
  type RoleProcess,
} from './processes.ts';
import { poll } from './stats.ts';

export interface BenchContext {
  options: BenchOptions;
  runId: string;
  prefix: string;
  database: BenchDatabase;
  db: Database;
  /** Environment shared by every child: DATABASE_URL, REDIS_URL, REDIS_PREFIX, NODE_ENV. */
  baseEnv: Record<string, string>;
  profile: ProfileSettings | undefined;
  /** Every child still running, so a failed run can stop them all. */
  processes: Set<RoleProcess>;
  log(message: string): void;
  /** Starts the API entrypoint; from built JavaScript in `build` when given, else from source with tsx. */
  startApi(label: string, build?: string): Promise<ApiProcess>;
  /**
   * Starts a worker with the base worker settings plus `env`, ready once it has completed a canary job. The API may
   * still be starting: both load in parallel.
   */
  startWorker(
    label: string,
    api: ApiProcess | Promise<ApiProcess>,
    env?: Record<string, string>,
    build?: string,
  ): Promise<RoleProcess>;
  stop(proc: RoleProcess | undefined): Promise<void>;
}

/** Settings every worker child gets unless a scenario overrides them. */
export function workerEnv(options: BenchOptions): Record<string, string> {
  return {
    WORKER_CONCURRENCY: String(options.workerConcurrency),
    WORKER_QUEUE_CONCURRENCY: `sync_bulk=${options.workerConcurrency}`,
    LOG_LEVEL: options.workerLogLevel,
    ...(options.workerNodeOptions ? { NODE_OPTIONS: options.workerNodeOptions } : {}),
  };
}

export async function createContext(
  options: BenchOptions,
  runId: string,
  database: BenchDatabase,
): Promise<BenchContext> {
  const prefix = `bench${runId}`;
  const baseEnv = {
    NODE_ENV: 'production',
    // Production roles refuse to start without a sealing key; a throwaway one per run.
    SECRETS_KEY: randomBytes(32).toString('base64'),
    // The benchmark writes thousands of jobs a minute from one address.
    API_RATE_LIMIT_PER_MINUTE: '0',
    DATABASE_URL: database.url,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: prefix,
  };
  const profile = options.profile ? { dir: options.profileDir } : undefined;
  const processes = new Set<RoleProcess>();
  // Canary jobs (one per worker start) prove a worker consumes; 90 pairs are plenty.
  const canaries: Pair[] = await seedPairs(database.db, 90, EMPTY_STORE, 'canary');
  const apiKey = await createApiKeyService({
    db: database.db,
    announceRevocation: async () => undefined,
  }).create({
    name: `bench ${runId}`,
    role: 'admin',
  });
  useBenchApiKey(apiKey.secret);
  let nextCanary = 0;
  const started = Date.now();
  const ctx: BenchContext = {
    options,
    runId,
    prefix,
    database,
    db: database.db,
    baseEnv,
    profile,
    processes,
    log(message) {
      if (!options.quiet) console.error(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
    },
    async startApi(label, build) {
      const env = options.apiNodeOptions ? { ...baseEnv, NODE_OPTIONS: options.apiNodeOptions } : baseEnv;
      const api = await startApi(label, env, { profile, build, root: options.serverRoot });
      processes.add(api);
      return api;
    },
    async startWorker(label, api, env = {}, build) {
      const worker = await startWorker(
        label,
        { ...baseEnv, ...workerEnv(options), ...env },
        async (proc) => {
          const pair = canaries[nextCanary++ % canaries.length]!;
          const { id } = await createJob((await api).url, pair);
          try {
            await poll(
              `${label} to run its canary job`,
              async () => {
                const { rows } = await sql<{ status: string }>`
                  SELECT status FROM sync_jobs WHERE id = ${id}`.execute(database.db);
                return rows[0]?.status === 'COMPLETED';
              },
              { timeoutMs: 90_000, intervalMs: 50 },
            );
          } catch (err) {
            const { rows } = await sql<Record<string, unknown>>`
              SELECT status, queue, attempts, worker_id, created_at, started_at, message, error
              FROM sync_jobs WHERE id = ${id}`.execute(database.db);
            throw new Error(
              `${(err as Error).message}; canary ${id}: ${JSON.stringify(rows[0])}\n${proc.label} output:\n${proc.output()}`,
            );
          }
        },
        { profile, build, root: options.serverRoot },
      );
      processes.add(worker);
      return worker;
    },
    async stop(proc) {
      if (!proc) return;
      await proc.stop();
      processes.delete(proc);
    },
  };
  return ctx;
}
