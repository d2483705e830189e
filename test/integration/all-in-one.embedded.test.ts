/**
 * `npm start` on embedded defaults, as a real process: no DATABASE_URL (embedded PGlite in a temporary data folder),
 * no REDIS_URL (a private redis-server child), port 0. A job created over REST completes; Ctrl-C (SIGINT) stops
 * everything and leaves no process behind; a second start on the same folder still has the job.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createLogger } from '../../server/logger.ts';
import { canRun, provideRedis, RedisUnavailableError } from '../../server/embedded/redis-server.ts';
import { TEST_REDIS_URL } from '../helpers/env.ts';
import { createSandboxIntegration, gql } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sync-all-in-one-'));
const running = new Set<ChildProcess>();

interface AllInOne {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

/** The environment a newcomer has: none of our connection variables. */
function embeddedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    DASHBOARD_PORT: '0',
    FLOWER_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    RECONCILE_INTERVAL_MS: '500',
    RECONCILE_GRACE_MS: '300',
  };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'CELERY_BROKER_URL', 'REDIS_PASSWORD', 'REDIS_PREFIX'])
    delete env[name];
  return env;
}

/** Starts `npm start`'s entrypoint and resolves with the URL its banner prints. */
async function startAllInOne(): Promise<AllInOne> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main/all.ts'], {
    cwd: ROOT,
    env: embeddedEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const url = await waitFor(
    'the all-in-one banner',
    () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${out}`);
      return /GraphiQL\s+(http:\/\/\S+)\/graphql/.exec(out)?.[1]?.replace('localhost', '127.0.0.1');
    },
    { timeoutMs: 90_000, intervalMs: 50 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${out}`);
  });
  return { child, url, output: () => out, exited };
}

/** Every live process below `pid` (Linux /proc; elsewhere none are found and the redis pid check remains). */
function descendants(pid: number): number[] {
  let stats: { pid: number; ppid: number }[];
  try {
    stats = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          // "pid (comm) state ppid …": comm may contain spaces, so read after the last ')'.
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return [{ pid: Number(d), ppid }];
        } catch {
          return [];
        }
      });
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const s of stats) {
      if (s.ppid === parent) {
        found.push(s.pid);
        queue.push(s.pid);
      }
    }
  }
  return found;
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function stopWithCtrlC(app: AllInOne, watched: number[]): Promise<void> {
  app.child.kill('SIGINT');
  await waitFor(
    'the all-in-one to exit',
    () => app.child.exitCode !== null || app.child.signalCode !== null,
    { timeoutMs: 30_000 },
  );
  const code = await app.exited;
  expect(code, app.output()).toBe(0);
  // Every process it had started is gone too (reaped children vanish at once; allow a moment for the kernel).
  await waitFor(`processes ${watched.join(', ')} to be gone`, () => watched.every(isGone), {
    timeoutMs: 5000,
  });
  for (const pid of watched)
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
}

async function getJob(url: string, id: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/api/sync/jobs/${id}`);
  return { status: res.status, body: await res.json() };
}

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

// The private Redis needs the redis-server binary; the test machines have it (.ci/run starts it), so a missing
// binary is a failure here, not a reason to skip.
describe('npm start on embedded defaults (no DATABASE_URL, no REDIS_URL)', () => {
  let jobId = '';

  it('has a redis-server binary to start', () => {
    expect(canRun('redis-server')).toBe(true);
  });

  it('runs a job end to end, then stops on SIGINT leaving no child process', async () => {
    const app = await startAllInOne();
    const redisPid = Number(readFileSync(join(dataDir, 'redis', 'redis-server.pid'), 'utf8'));
    expect(isGone(redisPid)).toBe(false);
    expect(app.output()).toContain('embedded PostgreSQL (PGlite)');
    expect(app.output()).toMatch(/\[api\]\s.*api listening/);
    expect(app.output()).toMatch(/\[worker\]\s.*worker started/);

    await waitFor('/readyz to answer 200', async () => (await fetch(`${app.url}/readyz`)).status === 200);

    // The banner lists every way in.
    for (const label of ['Dashboard', 'Seed URL', 'GraphiQL', 'REST', 'Metrics', 'Monitor']) {
      expect(app.output()).toMatch(new RegExp(`\\s${label}\\s+http://`));
    }
    // The dashboard is served by the API, and the seed's dashboard port redirects to it.
    const dashboard = await fetch(`${app.url}/dashboard/sync`);
    expect([200, 503]).toContain(dashboard.status); // 503 only when client/dist was never built
    const seedUrl = /Seed URL\s+(http:\/\/\S+)\/dashboard\/sync/.exec(app.output())?.[1];
    expect(seedUrl, app.output()).toBeDefined();
    const redirect = await fetch(`${seedUrl!.replace('localhost', '127.0.0.1')}/dashboard/sync`, {
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toMatch(/\/dashboard\/sync$/);

    // A second `npm start` on the same data folder refuses to open it, and leaves the first one running.
    const second = spawn(process.execPath, ['--import', 'tsx', 'server/main/all.ts'], {
      cwd: ROOT,
      env: embeddedEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let secondOut = '';
    second.stdout.on('data', (c: Buffer) => (secondOut += c.toString()));
    second.stderr.on('data', (c: Buffer) => (secondOut += c.toString()));
    const secondCode = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(secondCode, secondOut).toBe(1);
    expect(secondOut).toContain(`is using the data folder ${dataDir}`);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    expect(isGone(redisPid)).toBe(false);

    // First start on an empty database: the demo integration was seeded through the service layer.
    await waitFor('the demo integration', async () => {
      const result = await gql<{ integrations: { name: string }[] }>(app.url, '{ integrations { name } }');
      return result.data?.integrations.some((i) => i.name === 'Demo store');
    });

    const integrationId = await createSandboxIntegration(app.url, {
      products: 20,
      orders: 5,
      latencyMs: 0,
    });
    const res = await fetch(`${app.url}/api/sync/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ integration_id: integrationId, sync_type: 'products' }),
    });
    const created = (await res.json()) as { id: string; status: string };
    expect(res.status, JSON.stringify(created)).toBe(201);
    jobId = created.id;

    const done = await waitFor(
      'the job to complete',
      async () => {
        const { body } = await getJob(app.url, jobId);
        if (body.status === 'failed' || body.status === 'cancelled') throw new Error(JSON.stringify(body));
        return body.status === 'completed' ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(done.processed_items).toBeGreaterThan(0);

    const children = descendants(app.child.pid!);
    expect(children).toContain(redisPid);
    await stopWithCtrlC(app, children);
    expect(isGone(redisPid)).toBe(true);
  }, 120_000);

  it('keeps its data across restarts on the same data folder', async () => {
    expect(jobId).not.toBe('');
    const app = await startAllInOne();
    const { status, body } = await getJob(app.url, jobId);
    expect(status).toBe(200);
    expect(body.status).toBe('completed');
    // The demo is seeded once: this database already had integrations.
    const result = await gql<{ integrations: { name: string }[] }>(app.url, '{ integrations { name } }');
    expect(result.data?.integrations.filter((i) => i.name === 'Demo store')).toHaveLength(1);
    await stopWithCtrlC(app, descendants(app.child.pid!));
  }, 120_000);
});

describe('Redis for the all-in-one', () => {
  const log = createLogger({ name: 'test', level: 'silent' });

  async function closedPortUrl(): Promise<string> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return `redis://127.0.0.1:${port}/0`;
  }

  it('uses REDIS_URL when it is set', async () => {
    const redis = await provideRedis({ configuredUrl: 'redis://cache:6380/1', urlSet: true, dataDir, log });
    expect(redis.url).toBe('redis://cache:6380/1');
    expect(redis.pid).toBeUndefined();
  });

  it('without redis-server, uses a Redis that answers on the default port', async () => {
    const redis = await provideRedis({
      configuredUrl: TEST_REDIS_URL,
      urlSet: false,
      dataDir,
      log,
      redisServer: 'redis-server-that-is-not-installed',
      fallbackUrl: TEST_REDIS_URL,
    });
    expect(redis.url).toBe(TEST_REDIS_URL);
  });

  it('without redis-server and without a Redis, stops with the three ways out', async () => {
    const attempt = provideRedis({
      configuredUrl: 'redis://127.0.0.1:6379/0',
      urlSet: false,
      dataDir,
      log,
      redisServer: 'redis-server-that-is-not-installed',
      fallbackUrl: await closedPortUrl(),
    });
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    const message = await attempt.catch((err: Error) => err.message);
    expect(message).toContain('install redis-server');
    expect(message).toContain('docker compose up -d redis');
    expect(message).toContain('set REDIS_URL');
  });
});
