/**
 * The one reader of the environment. Every variable is parsed here, all problems are reported at once, and the
 * rest of the code receives a frozen, nested `Config`. The seed's Celery/Flower names are accepted beside ours.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { QUEUE_NAMES, type QueueName } from '../db/types.ts';
import { decodeSecretKey } from './security/secrets.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  env: 'development' | 'production' | 'test';
  http: {
    /** Interface the API binds to. */
    host: string;
    /** API port (seed: 8000). */
    port: number;
    /** Largest accepted request body in bytes. */
    bodyLimitBytes: number;
    /** The all-in-one also answers on this port (seed: 3000), redirecting to the dashboard; 0 picks a free port. */
    dashboardPort: number;
  };
  database: {
    /**
     * DATABASE_URL, or null when it is not set: the all-in-one (`npm start`) then runs an embedded PostgreSQL
     * (PGlite) under `dataDir`; the single roles (`start:api`, `start:worker`, `db:migrate`) need a real server
     * and use DEFAULT_DATABASE_URL.
     */
    url: string | null;
  };
  redis: {
    /** REDIS_URL (or the seed's CELERY_BROKER_URL), else DEFAULT_REDIS_URL. */
    url: string;
    /**
     * Whether REDIS_URL or CELERY_BROKER_URL was set. When not, the all-in-one starts a private redis-server
     * (data under `dataDir`); the single roles use the default URL.
     */
    urlSet: boolean;
    /** Prefix of every Redis key and channel this deployment uses. */
    prefix: string;
  };
  /** Absolute folder for the all-in-one's embedded data (PGlite, private Redis); DATA_DIR, default `./.data`. */
  dataDir: string;
  demo: {
    /** The all-in-one seeds a demo sandbox integration and a few jobs when the database has no integration. */
    seed: boolean;
  };
  emulators: {
    /**
     * EMULATORS: the all-in-one runs local Bling, Mercado Livre and Nuvemshop emulators (with a demo catalog) to
     * connect integrations to. Default on, off when NODE_ENV=production; the single roles never run them.
     */
    enabled: boolean;
    /** EMULATORS_BASE_PORT: Bling listens on it, Mercado Livre on +1, Nuvemshop on +2; 0 picks free ports. */
    basePort: number;
  };
  jobs: {
    /** Attempts per job before it is FAILED (transient errors retry with exponential backoff). */
    maxAttempts: number;
    /** First retry delay; doubles with each attempt. */
    retryBackoffMs: number;
    /** Largest bulk create accepted in one call. */
    bulkLimit: number;
  };
  worker: {
    /** Base per-queue concurrency (seed: CELERY_WORKER_CONCURRENCY). */
    concurrency: number;
    /** Concurrency of each of the eight queues in one worker process. */
    queueConcurrency: Record<QueueName, number>;
    /** Soft time limit: the handler's signal is aborted (seed: CELERY_TASK_SOFT_TIME_LIMIT). */
    softTimeLimitMs: number;
    /** Hard time limit: the job fails and its slot is freed (seed: CELERY_TASK_TIME_LIMIT). */
    hardTimeLimitMs: number;
    /** How long a cancelled handler may take to reach its next checkpoint before its slot is freed anyway. */
    cancelGraceMs: number;
    /** Bee-Queue stall interval: a job whose worker stops renewing for this long is run again. */
    stallIntervalMs: number;
    /** Progress writes per job are coalesced to at most one per interval. */
    progressIntervalMs: number;
    /** How often a worker stamps heartbeat_at on the jobs it holds. */
    heartbeatIntervalMs: number;
    /** On SIGTERM, how long running jobs may take to finish before they are handed back to their queue. */
    shutdownGraceMs: number;
    /** A worker beats in the worker registry every heartbeatIntervalMs; older than this, it is shown offline. */
    offlineAfterMs: number;
    /** A worker whose last registry beat is older than this is dropped from the registry. */
    forgetAfterMs: number;
    /** Newest log lines (info and above) kept per job for `SyncJob.logs`; 0 keeps none. */
    jobLogLines: number;
  };
  reconciler: {
    intervalMs: number;
    /** A QUEUED job younger than this is not checked (its enqueue may still be in flight). */
    graceMs: number;
    /** A RUNNING job whose heartbeat is older than this and that Redis no longer holds is recovered. */
    staleRunningMs: number;
  };
  retention: {
    /** Finished jobs older than this are removed by cleanup (seed: CELERY_RESULT_EXPIRES, in seconds). */
    finishedJobsMs: number;
  };
  /** Timezone of schedules (seed: CELERY_TIMEZONE). */
  timezone: string;
  monitor: { port: number; basicAuth: { user: string; password: string } | null; urlPrefix: string };
  log: { level: LogLevel; workerLevel: LogLevel };
  auth: {
    /**
     * API_AUTH: `required` (the default) refuses API requests without a valid API key; `off` lets every caller in.
     * Production refuses to start with `off`; the all-in-one runs open only on a loopback HOST.
     */
    mode: 'required' | 'off';
    /** Whether API_AUTH was set (the all-in-one on a loopback HOST defaults to `off` only when it was not). */
    modeSet: boolean;
  };
  secrets: {
    /** SECRETS_KEY: 32 bytes (hex or base64) sealing credentials at rest; null outside production = generated key. */
    key: string | null;
    /** SECRETS_PREVIOUS_KEYS: older keys still accepted for reading while rows are re-sealed. */
    previousKeys: string[];
  };
  graphql: {
    /** GRAPHQL_INTROSPECTION: schema introspection; default on, off when NODE_ENV=production. */
    introspection: boolean;
    /** GRAPHIQL: the in-browser IDE at GET /graphql; default on, off when NODE_ENV=production. */
    graphiql: boolean;
    /** GRAPHQL_MAX_DEPTH: deepest selection accepted (Relay `edges { node { … } }` needs about 10). */
    maxDepth: number;
    /** GRAPHQL_MAX_COST: graphql-armor's static cost of one operation. */
    maxCost: number;
    /** GRAPHQL_MAX_ALIASES: aliases per operation. */
    maxAliases: number;
    /** GRAPHQL_MAX_TOKENS: lexical tokens per document (parsing stops past it). */
    maxTokens: number;
  };
  rateLimit: {
    /** API_RATE_LIMIT_PER_MINUTE: writes (GraphQL mutation fields, REST POST/DELETE) per API key (or IP) per minute; 0 = off. */
    writesPerMinute: number;
  };
}

/** Where the single roles look for Postgres when DATABASE_URL is not set. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/sync_orchestrator';
/** Where every role looks for Redis when neither REDIS_URL nor CELERY_BROKER_URL is set (the all-in-one may start its own). */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/0';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const flag = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', '']))
  .transform((v) => (v === '' ? undefined : ['true', '1', 'yes', 'on'].includes(v)))
  .optional();

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(8000),
  DASHBOARD_PORT: int(0, 65535).default(3000),
  HTTP_BODY_LIMIT_BYTES: int(1024, 50 * 1024 * 1024).default(1024 * 1024),
  DATABASE_URL: optionalString.pipe(z.string().url().optional()),
  DATA_DIR: optionalString,
  DEMO_SEED: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', '']))
    .optional(),
  EMULATORS: flag,
  EMULATORS_BASE_PORT: int(0, 65533).default(8101),
  REDIS_URL: optionalString,
  CELERY_BROKER_URL: optionalString,
  REDIS_PASSWORD: optionalString,
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .default('sync'),
  JOB_MAX_ATTEMPTS: int(1, 100).default(3),
  JOB_RETRY_BACKOFF_MS: int(0, 3_600_000).default(1000),
  JOB_BULK_LIMIT: int(1, 10_000).default(1000),
  WORKER_CONCURRENCY: int(1, 1000).optional(),
  CELERY_WORKER_CONCURRENCY: int(1, 1000).optional(),
  WORKER_QUEUE_CONCURRENCY: optionalString,
  JOB_SOFT_TIME_LIMIT: z.coerce.number().positive().optional(),
  CELERY_TASK_SOFT_TIME_LIMIT: z.coerce.number().positive().optional(),
  JOB_TIME_LIMIT: z.coerce.number().positive().optional(),
  CELERY_TASK_TIME_LIMIT: z.coerce.number().positive().optional(),
  JOB_CANCEL_GRACE_MS: int(0, 3_600_000).default(10_000),
  WORKER_STALL_INTERVAL_MS: int(100, 600_000).default(5000),
  WORKER_PROGRESS_INTERVAL_MS: int(0, 60_000).default(250),
  WORKER_HEARTBEAT_INTERVAL_MS: int(100, 600_000).default(5000),
  WORKER_SHUTDOWN_GRACE_MS: int(0, 3_600_000).default(30_000),
  WORKER_OFFLINE_AFTER_MS: int(200, 3_600_000).default(15_000),
  WORKER_FORGET_AFTER_MS: int(200, 86_400_000).default(60_000),
  JOB_LOG_LINES: int(0, 10_000).default(200),
  RECONCILE_INTERVAL_MS: int(100, 3_600_000).default(10_000),
  RECONCILE_GRACE_MS: int(0, 3_600_000).default(5000),
  RECONCILE_STALE_RUNNING_MS: int(1000, 86_400_000).default(60_000),
  JOB_RETENTION_DAYS: z.coerce.number().positive().optional(),
  CELERY_RESULT_EXPIRES: z.coerce.number().positive().optional(),
  SCHEDULE_TIMEZONE: optionalString,
  CELERY_TIMEZONE: optionalString,
  FLOWER_PORT: int(0, 65535).default(5555),
  FLOWER_BASIC_AUTH: optionalString,
  FLOWER_URL_PREFIX: z.string().default('/flower'),
  API_AUTH: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(['required', 'off', '']))
    .optional(),
  LOG_LEVEL: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum([...LOG_LEVELS, 'warning', 'critical']))
    .optional(),
  SECRETS_KEY: optionalString,
  SECRETS_PREVIOUS_KEYS: optionalString,
  GRAPHQL_INTROSPECTION: flag,
  GRAPHIQL: flag,
  GRAPHQL_MAX_DEPTH: int(2, 100).default(10),
  GRAPHQL_MAX_COST: int(10, 1_000_000).default(5000),
  GRAPHQL_MAX_ALIASES: int(0, 1000).default(15),
  GRAPHQL_MAX_TOKENS: int(50, 1_000_000).default(2000),
  API_RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(600),
  CELERY_LOG_LEVEL: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum([...LOG_LEVELS, 'warning', 'critical']))
    .optional(),
});

/** Every environment variable `loadConfig` reads (a deployment test checks `.env.example` documents each). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Python logging names (the seed's) mapped onto pino levels. */
function toPinoLevel(level: string | undefined, fallback: LogLevel): LogLevel {
  if (level === undefined) return fallback;
  if (level === 'warning') return 'warn';
  if (level === 'critical') return 'fatal';
  return level as LogLevel;
}

function parseQueueConcurrency(
  spec: string | undefined,
  base: number,
  problems: string[],
): Record<QueueName, number> {
  // Urgent and high-priority work gets slots of its own so bulk work can never starve it.
  const result: Record<QueueName, number> = {
    urgent: Math.max(2, Math.ceil(base / 2)),
    high_priority: Math.max(2, Math.ceil(base / 2)),
    sync_products: base,
    sync_inventory: base,
    sync_orders: base,
    sync_bulk: base,
    maintenance: 1,
    default: base,
  };
  if (!spec) return result;
  for (const part of spec.split(',')) {
    const [name, value] = part.split('=').map((s) => s.trim());
    const n = Number(value);
    if (!name || !(QUEUE_NAMES as readonly string[]).includes(name)) {
      problems.push(
        `WORKER_QUEUE_CONCURRENCY: unknown queue "${name ?? ''}" (known: ${QUEUE_NAMES.join(', ')})`,
      );
    } else if (!Number.isInteger(n) || n < 0 || n > 1000) {
      problems.push(`WORKER_QUEUE_CONCURRENCY: ${name} must be an integer 0-1000`);
    } else {
      result[name as QueueName] = n;
    }
  }
  return result;
}

function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  const parsed = new URL(url);
  if (!parsed.password) parsed.password = password;
  return parsed.toString();
}

/** Parses an environment (normally `process.env`) into a frozen config, or throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const concurrency = e.WORKER_CONCURRENCY ?? e.CELERY_WORKER_CONCURRENCY ?? 4;
  const queueConcurrency = parseQueueConcurrency(e.WORKER_QUEUE_CONCURRENCY, concurrency, problems);
  const softSeconds = e.JOB_SOFT_TIME_LIMIT ?? e.CELERY_TASK_SOFT_TIME_LIMIT ?? 300;
  const hardSeconds = e.JOB_TIME_LIMIT ?? e.CELERY_TASK_TIME_LIMIT ?? 600;
  if (hardSeconds < softSeconds) problems.push('JOB_TIME_LIMIT must not be below JOB_SOFT_TIME_LIMIT');
  if (e.WORKER_OFFLINE_AFTER_MS <= e.WORKER_HEARTBEAT_INTERVAL_MS)
    problems.push('WORKER_OFFLINE_AFTER_MS must be above WORKER_HEARTBEAT_INTERVAL_MS');
  if (e.WORKER_FORGET_AFTER_MS < e.WORKER_OFFLINE_AFTER_MS)
    problems.push('WORKER_FORGET_AFTER_MS must not be below WORKER_OFFLINE_AFTER_MS');
  let basicAuth: Config['monitor']['basicAuth'] = null;
  if (e.FLOWER_BASIC_AUTH) {
    const i = e.FLOWER_BASIC_AUTH.indexOf(':');
    if (i <= 0) problems.push('FLOWER_BASIC_AUTH must be user:password');
    else basicAuth = { user: e.FLOWER_BASIC_AUTH.slice(0, i), password: e.FLOWER_BASIC_AUTH.slice(i + 1) };
  }
  if (e.SECRETS_KEY !== undefined && decodeSecretKey(e.SECRETS_KEY) === null)
    problems.push('SECRETS_KEY must be 32 bytes written as 64 hex digits or base64');
  if (e.NODE_ENV === 'production' && e.SECRETS_KEY === undefined)
    problems.push('SECRETS_KEY is required in production (32 random bytes: `openssl rand -base64 32`)');
  const previousKeys = (e.SECRETS_PREVIOUS_KEYS ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  previousKeys.forEach((k, i) => {
    if (decodeSecretKey(k) === null)
      problems.push(
        `SECRETS_PREVIOUS_KEYS: key ${i + 1} must be 32 bytes written as 64 hex digits or base64`,
      );
  });
  if (e.NODE_ENV === 'production' && e.EMULATORS === true)
    problems.push('EMULATORS must not be on in production (the emulators are test doubles of the platforms)');
  const redisUrl = e.REDIS_URL ?? e.CELERY_BROKER_URL ?? DEFAULT_REDIS_URL;
  try {
    if (!/^rediss?:$/.test(new URL(redisUrl).protocol))
      problems.push('REDIS_URL must start with redis:// or rediss://');
  } catch {
    problems.push('REDIS_URL is not a URL');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const retentionMs =
    e.JOB_RETENTION_DAYS !== undefined
      ? e.JOB_RETENTION_DAYS * 86_400_000
      : e.CELERY_RESULT_EXPIRES !== undefined
        ? e.CELERY_RESULT_EXPIRES * 1000
        : 30 * 86_400_000;
  const level = toPinoLevel(e.LOG_LEVEL, e.NODE_ENV === 'test' ? 'silent' : 'info');
  const config: Config = {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      bodyLimitBytes: e.HTTP_BODY_LIMIT_BYTES,
      dashboardPort: e.DASHBOARD_PORT,
    },
    database: { url: e.DATABASE_URL ?? null },
    redis: {
      url: withPassword(redisUrl, e.REDIS_PASSWORD),
      urlSet: e.REDIS_URL !== undefined || e.CELERY_BROKER_URL !== undefined,
      prefix: e.REDIS_PREFIX,
    },
    dataDir: resolve(e.DATA_DIR ?? '.data'),
    demo: { seed: !['false', '0', 'no', 'off'].includes(e.DEMO_SEED ?? '') },
    emulators: {
      enabled: e.EMULATORS ?? e.NODE_ENV !== 'production',
      basePort: e.EMULATORS_BASE_PORT,
    },
    jobs: {
      maxAttempts: e.JOB_MAX_ATTEMPTS,
      retryBackoffMs: e.JOB_RETRY_BACKOFF_MS,
      bulkLimit: e.JOB_BULK_LIMIT,
    },
    worker: {
      concurrency,
      queueConcurrency,
      softTimeLimitMs: softSeconds * 1000,
      hardTimeLimitMs: hardSeconds * 1000,
      cancelGraceMs: e.JOB_CANCEL_GRACE_MS,
      stallIntervalMs: e.WORKER_STALL_INTERVAL_MS,
      progressIntervalMs: e.WORKER_PROGRESS_INTERVAL_MS,
      heartbeatIntervalMs: e.WORKER_HEARTBEAT_INTERVAL_MS,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      offlineAfterMs: e.WORKER_OFFLINE_AFTER_MS,
      forgetAfterMs: e.WORKER_FORGET_AFTER_MS,
      jobLogLines: e.JOB_LOG_LINES,
    },
    reconciler: {
      intervalMs: e.RECONCILE_INTERVAL_MS,
      graceMs: e.RECONCILE_GRACE_MS,
      staleRunningMs: e.RECONCILE_STALE_RUNNING_MS,
    },
    retention: { finishedJobsMs: retentionMs },
    timezone: e.SCHEDULE_TIMEZONE ?? e.CELERY_TIMEZONE ?? 'America/Sao_Paulo',
    monitor: { port: e.FLOWER_PORT, basicAuth, urlPrefix: e.FLOWER_URL_PREFIX },
    log: { level, workerLevel: toPinoLevel(e.CELERY_LOG_LEVEL, level) },
    auth: { mode: e.API_AUTH === 'off' ? 'off' : 'required', modeSet: Boolean(e.API_AUTH) },
    secrets: { key: e.SECRETS_KEY ?? null, previousKeys },
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ?? e.NODE_ENV !== 'production',
      graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
    },
    rateLimit: { writesPerMinute: e.API_RATE_LIMIT_PER_MINUTE },
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
