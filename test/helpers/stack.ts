/**
 * Test stacks on real Postgres and Redis: a fresh database and key prefix per test file, the API on port 0,
 * workers in-process or as child processes running the production entrypoint.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../db/database.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { AnyJobHandler } from '../../server/handlers/handler.ts';
import { buildApiApp, type ApiApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import type { SecretBox } from '../../server/security/secret-box.ts';
import { createKeyring, createSecretBox } from '../../server/security/secrets.ts';
import { createWorker, type Worker } from '../../server/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { createTestRedisPrefix } from './redis.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The fixed key test stacks seal credentials with (32 bytes, base64). */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 0x5e).toString('base64');

/** A SecretBox with the test stacks' key, to open what a stack sealed. */
export function testSecretBox(): SecretBox {
  return createSecretBox(createKeyring(TEST_SECRETS_KEY));
}

/** Environment for a test stack; the same variables configure child worker processes. */
export function testEnv(
  db: TestDatabase,
  prefix: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    REDIS_URL: createTestRedisPrefix().url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    WORKER_STALL_INTERVAL_MS: '1000',
    WORKER_PROGRESS_INTERVAL_MS: '50',
    WORKER_HEARTBEAT_INTERVAL_MS: '500',
    RECONCILE_INTERVAL_MS: '500',
    RECONCILE_GRACE_MS: '300',
    JOB_RETRY_BACKOFF_MS: '50',
    JOB_CANCEL_GRACE_MS: '2000',
    SECRETS_KEY: TEST_SECRETS_KEY,
    // Tests write fast from one address; the write limit's own tests turn it on.
    API_RATE_LIMIT_PER_MINUTE: '0',
    // Stacks run open unless a test turns API keys on (API_AUTH: 'required').
    API_AUTH: 'off',
    ...overrides,
  };
}

export interface TestStack {
  db: Database;
  testDb: TestDatabase;
  prefix: string;
  env: Record<string, string>;
  config: Config;
  api: ApiApp;
  url: string;
  workers: Worker[];
  /** Starts another in-process worker with this stack's config (plus overrides). */
  startWorker(options?: {
    env?: Record<string, string>;
    getHandler?: (t: string) => AnyJobHandler | undefined;
  }): Promise<Worker>;
  stop(): Promise<void>;
}

export async function startTestStack(
  options: {
    env?: Record<string, string>;
    workers?: number;
    getHandler?: (t: string) => AnyJobHandler | undefined;
  } = {},
): Promise<TestStack> {
  const testDb = await createTestDatabase();
  const redis = createTestRedisPrefix();
  const env = testEnv(testDb, redis.prefix, options.env);
  const config = loadConfig(env);
  const log = createLogger({ name: 'test', level: 'silent' });
  const api = buildApiApp({ config, db: testDb.db, log });
  const { url } = await api.start(0, '127.0.0.1');
  const workers: Worker[] = [];
  const stack: TestStack = {
    db: testDb.db,
    testDb,
    prefix: redis.prefix,
    env,
    config,
    api,
    url,
    workers,
    async startWorker(o = {}) {
      const workerConfig = o.env ? loadConfig({ ...env, ...o.env }) : config;
      const getHandler = o.getHandler ?? options.getHandler;
      const worker = createWorker({
        config: workerConfig,
        db: testDb.db,
        log,
        ...(getHandler ? { getHandler } : {}),
      });
      await worker.start();
      workers.push(worker);
      return worker;
    },
    async stop() {
      await Promise.all(workers.map((w) => w.stop(200)));
      await api.stop();
      await testDb.drop();
      await redis.cleanup();
    },
  };
  for (let i = 0; i < (options.workers ?? 0); i++) await stack.startWorker();
  return stack;
}

export interface ChildWorker {
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs the production worker entrypoint (`server/main/worker.ts`) as a child process; resolves once it consumes. */
export async function spawnWorker(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main/worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker did not start in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"msg":"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** POSTs a GraphQL operation and returns the parsed body. */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: T; errors?: { message: string; extensions?: { code?: string; details?: any } }[] }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

/** Creates a sandbox integration through the API and returns its id. */
export async function createSandboxIntegration(
  url: string,
  settings: Record<string, unknown> = {},
): Promise<string> {
  const result = await gql<{ createIntegration: { id: string } }>(
    url,
    `mutation($input: CreateIntegrationInput!) { createIntegration(input: $input) { id } }`,
    { input: { name: 'Test store', settings } },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.createIntegration.id;
}

export interface ChildApi extends ChildWorker {
  url: string;
}

/** Runs the production API entrypoint (`server/main/api.ts`) as a child process on a free port. */
export async function spawnApi(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildApi> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main/api.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`api did not start in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"msg":"api listening"/.test(out) ? /"url":"(http:\/\/[^"]+)"/.exec(out) : null;
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`api exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    url,
    output: () => out,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
