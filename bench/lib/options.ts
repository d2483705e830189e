/**
 * Bench options: defaults are the spec's sizes; `--smoke` shrinks everything so the whole harness runs in seconds.
 * Every size can be set by a flag (`--e2e-jobs=2000`) or an environment variable (`BENCH_E2E_JOBS=2000`); flags win.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SCENARIOS = ['raw', 'e2e', 'bulk', 'create', 'urgent', 'fanout', 'memory'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  smoke: boolean;
  scenarios: ScenarioName[];
  /** Postgres admin URL (the bench creates and drops its own database there). */
  adminUrl: string;
  redisUrl: string;
  /** Where the JSON results go. */
  out: string;
  /** Rewrite the README "Performance" table from this run. */
  updateReadme: boolean;
  /** Run the API and worker children with --cpu-prof and count their SQL statements and Redis commands. */
  profile: boolean;
  profileDir: string;
  /** LOG_LEVEL of the worker children (the API always logs at info: its startup line carries its URL). */
  workerLogLevel: string;
  quiet: boolean;
  /** NODE_OPTIONS for the worker / API children (e.g. --max-semi-space-size=32), to try V8 settings. */
  workerNodeOptions: string | undefined;
  apiNodeOptions: string | undefined;
  /** Run the API and worker from another checkout (to A/B a change); default: this repository. */
  serverRoot: string | undefined;

  rawJobs: number;
  rawConcurrency: number;

  e2eJobs: number;
  batchSize: number;
  workerConcurrency: number;

  urgentBacklog: number;
  urgentJobs: number;
  /** Sandbox latency of each platform call of a backlog job (a job makes two calls). */
  urgentBacklogLatencyMs: number;
  urgentBulkConcurrency: number;

  createRate: number;
  createDurationS: number;
  createConnections: number;

  bulkCalls: number;

  fanoutSubscribers: number;
  fanoutJobs: number;
  fanoutRatePerJob: number;
  fanoutDurationS: number;

  memoryJobs: number;
  /** How the memory scenario runs the API and worker: built JavaScript (as production) or tsx from source. */
  memoryRuntime: 'dist' | 'tsx';
}

const FULL = {
  rawJobs: 10_000,
  rawConcurrency: 20,
  e2eJobs: 10_000,
  batchSize: 1000,
  // The worker's sync_bulk concurrency (the raw baseline keeps Bee-Queue's 20). A no-op job spends its time waiting
  // for its batch (claim, events, outcome), so more jobs in flight make fuller batches: 20 → 50 measured +23 %
  // end-to-end jobs/s and −17 % worker CPU per job on 2 cores.
  workerConcurrency: 50,
  urgentBacklog: 10_000,
  urgentJobs: 100,
  urgentBacklogLatencyMs: 50,
  urgentBulkConcurrency: 2,
  createRate: 500,
  createDurationS: 20,
  createConnections: 10,
  bulkCalls: 10,
  fanoutSubscribers: 1000,
  fanoutJobs: 20,
  fanoutRatePerJob: 4,
  fanoutDurationS: 10,
  memoryJobs: 10_000,
};

const SMOKE: typeof FULL = {
  rawJobs: 500,
  rawConcurrency: 20,
  e2eJobs: 500,
  batchSize: 250,
  workerConcurrency: 20,
  urgentBacklog: 500,
  urgentJobs: 5,
  urgentBacklogLatencyMs: 50,
  urgentBulkConcurrency: 2,
  createRate: 50,
  createDurationS: 2,
  createConnections: 2,
  bulkCalls: 2,
  fanoutSubscribers: 40,
  fanoutJobs: 4,
  fanoutRatePerJob: 4,
  fanoutDurationS: 2,
  memoryJobs: 500,
};

type Sizes = typeof FULL;

/** `--e2e-jobs` ⇄ `e2eJobs` ⇄ `BENCH_E2E_JOBS`. */
function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);
}
function envName(key: string): string {
  return `BENCH_${flagName(key).replace(/-/g, '_').toUpperCase()}`;
}

function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument "${arg}" (flags look like --name=value)`);
    const [name, ...rest] = arg.slice(2).split('=');
    flags.set(name!, rest.length > 0 ? rest.join('=') : 'true');
  }
  return flags;
}

export const USAGE = `npm run bench -- [flags]
  --smoke                 tiny sizes (N = 500, seconds-long durations): checks the harness, not the speed
  --only=raw,e2e,...      scenarios: ${SCENARIOS.join(', ')} (default: all)
  --out=FILE              results JSON (default bench-results.json)
  --update-readme         rewrite the README "Performance" table with this run
  --profile[=DIR]         --cpu-prof the API and worker children (default DIR: a temp folder) and count their
                          SQL statements and Redis commands per job
  --worker-log-level=L    LOG_LEVEL of worker children (default warn)
  --memory-runtime=R      dist: the memory scenario compiles the server (tsconfig.build.json) to a temp folder
                          and runs that JavaScript, as production does (default); tsx: from source (--smoke)
  --worker-node-options=O NODE_OPTIONS for worker children (e.g. --max-semi-space-size=32)
  --api-node-options=O    NODE_OPTIONS for API children
  --server-root=DIR       run the API and worker children from another checkout (A/B a change)
  --quiet                 no progress lines
sizes (flag or BENCH_* variable): ${Object.keys(FULL)
  .map((k) => `--${flagName(k)} (${envName(k)})`)
  .join(', ')}`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const flags = parseFlags(argv);
  if (flags.has('help')) {
    console.log(USAGE);
    process.exit(0);
  }
  const smoke = flags.has('smoke') || env.BENCH_SMOKE === '1' || env.BENCH_SMOKE === 'true';
  const base = smoke ? SMOKE : FULL;
  const sizes: Sizes = { ...base };
  for (const key of Object.keys(base) as (keyof Sizes)[]) {
    const raw = flags.get(flagName(key)) ?? env[envName(key)];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${flagName(key)} must be a positive number`);
    sizes[key] = value;
  }
  const known = new Set([
    'smoke',
    'only',
    'out',
    'update-readme',
    'profile',
    'worker-log-level',
    'memory-runtime',
    'worker-node-options',
    'api-node-options',
    'server-root',
    'quiet',
    ...Object.keys(base).map(flagName),
  ]);
  for (const name of flags.keys()) {
    if (!known.has(name)) throw new Error(`Unknown flag --${name}\n${USAGE}`);
  }
  const only = flags.get('only') ?? env.BENCH_ONLY;
  const scenarios = only
    ? only.split(',').map((s) => {
        const name = s.trim() as ScenarioName;
        if (!SCENARIOS.includes(name))
          throw new Error(`Unknown scenario "${s}" (known: ${SCENARIOS.join(', ')})`);
        return name;
      })
    : [...SCENARIOS];
  const profileFlag = flags.get('profile');
  const memoryRuntime = flags.get('memory-runtime') ?? env.BENCH_MEMORY_RUNTIME ?? (smoke ? 'tsx' : 'dist');
  if (memoryRuntime !== 'tsx' && memoryRuntime !== 'dist')
    throw new Error('--memory-runtime must be dist or tsx');
  return {
    smoke,
    scenarios,
    adminUrl:
      env.BENCH_DATABASE_ADMIN_URL ??
      env.TEST_DATABASE_ADMIN_URL ??
      'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
    out: flags.get('out') ?? env.BENCH_OUT ?? 'bench-results.json',
    updateReadme: flags.has('update-readme'),
    profile: profileFlag !== undefined,
    profileDir:
      profileFlag && profileFlag !== 'true'
        ? profileFlag
        : join(tmpdir(), `sync-bench-profile-${process.pid}`),
    workerLogLevel: flags.get('worker-log-level') ?? env.BENCH_WORKER_LOG_LEVEL ?? 'warn',
    memoryRuntime: memoryRuntime === 'tsx' ? 'tsx' : 'dist',
    quiet: flags.has('quiet'),
    workerNodeOptions: flags.get('worker-node-options') ?? env.BENCH_WORKER_NODE_OPTIONS,
    apiNodeOptions: flags.get('api-node-options') ?? env.BENCH_API_NODE_OPTIONS,
    serverRoot: flags.get('server-root') ?? env.BENCH_SERVER_ROOT,
    ...sizes,
  };
}
