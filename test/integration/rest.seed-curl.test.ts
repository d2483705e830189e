/**
 * The seed's curl examples are the REST compatibility contract: each one runs here verbatim, with the real curl
 * binary, against a running API and worker. Only the host, the integration id and the job id are substituted.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../../db/types.ts';
import { createSandboxIntegration, startTestStack, type TestStack } from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);

/** Where the seed lives beside the repository (shared/seed); checked against the constants when present. */
const SEED_PATH = fileURLToPath(new URL('../../../shared/seed/sync-orchestration.pt.md', import.meta.url));

// ── The seed's curl commands, byte for byte ─────────────────────────────────────────────────────────────────────

const SEED_CREATE_JOB = String.raw`curl -X POST "http://localhost:8000/api/sync/jobs" \
  -H "Content-Type: application/json" \
  -d '{
    "integration_id": "uuid-da-integracao",
    "sync_type": "products",
    "priority": "high",
    "options": {
      "full_sync": true,
      "batch_size": 100
    }
  }'`;

const SEED_GET_JOB = String.raw`curl "http://localhost:8000/api/sync/jobs/{job_id}"`;

const SEED_LIST_JOBS = String.raw`curl "http://localhost:8000/api/sync/jobs?status=running&limit=10"`;

const SEED_QUEUE_STATS = String.raw`curl "http://localhost:8000/api/sync/queue/stats"`;

const SEED_QUICK_SYNC = String.raw`curl -X POST "http://localhost:8000/api/sync/quick" \
  -H "Content-Type: application/json" \
  -d '{
    "integration_id": "uuid-da-integracao",
    "sync_types": ["products", "inventory"]
  }'`;

const SEED_COMMANDS = [SEED_CREATE_JOB, SEED_GET_JOB, SEED_LIST_JOBS, SEED_QUEUE_STATS, SEED_QUICK_SYNC];

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

let stack: TestStack;
let integrationId: string;
let jobId: string;
let quickJobIds: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ workers: 1 });
  // Slow enough (≈2 s per products sync) that a job is seen RUNNING, fast enough to finish within the test.
  integrationId = await createSandboxIntegration(stack.url, {
    products: 50,
    variantsPerProduct: 2,
    pageSize: 10,
    latencyMs: 100,
  });
});

afterAll(async () => {
  await stack?.stop();
});

interface CurlResult {
  status: number;
  body: any;
}

/** Runs a seed command verbatim with bash and curl, substituting only the host, integration id and job id. */
async function curl(seedCommand: string, jobIdForPath?: string): Promise<CurlResult> {
  let command = seedCommand
    .replaceAll('http://localhost:8000', stack.url)
    .replaceAll('uuid-da-integracao', integrationId);
  if (jobIdForPath) command = command.replaceAll('{job_id}', jobIdForPath);
  const { stdout } = await run('bash', ['-c', `${command} -sS -w '\\n%{http_code}'`], { timeout: 30_000 });
  const cut = stdout.lastIndexOf('\n');
  const status = Number(stdout.slice(cut + 1));
  const text = stdout.slice(0, cut);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`curl got a non-JSON body (HTTP ${status}): ${text.slice(0, 500)}`);
  }
  return { status, body };
}

async function getJob(id: string): Promise<any> {
  const res = await fetch(`${stack.url}/api/sync/jobs/${id}`);
  expect(res.status).toBe(200);
  return res.json();
}

function expectJobShape(job: any): void {
  expect(job).toEqual(
    expect.objectContaining({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      integration_id: integrationId,
      sync_type: expect.any(String),
      priority: expect.any(String),
      queue: expect.any(String),
      status: expect.stringMatching(/^(queued|running|completed|failed|cancelled)$/),
      progress: expect.any(Number),
      processed_items: expect.any(Number),
      options: {
        full_sync: expect.any(Boolean),
        batch_size: expect.any(Number),
        dry_run: expect.any(Boolean),
      },
      attempts: expect.any(Number),
      max_attempts: expect.any(Number),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    }),
  );
  // The wire format is snake_case throughout.
  for (const key of Object.keys(job)) expect(key).toMatch(/^[a-z0-9_]+$/);
}

describe('the seed document', () => {
  it('holds exactly these five curl commands (when the seed is checked out beside the repository)', () => {
    for (const command of SEED_COMMANDS) {
      expect(command.startsWith('curl ')).toBe(true);
      expect(command).toContain('"http://localhost:8000/api/sync/');
    }
    if (existsSync(SEED_PATH)) {
      const seed = readFileSync(SEED_PATH, 'utf8');
      const blocks = [...seed.matchAll(/```bash\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
      expect(blocks.filter((b) => b.startsWith('curl'))).toEqual(SEED_COMMANDS);
    }
  });
});

describe('the seed curl examples, run verbatim', () => {
  it('Criar Job de Sincronização: POST /api/sync/jobs → 201 with the queued job', async () => {
    const res = await curl(SEED_CREATE_JOB);
    expect(res.status).toBe(201);
    expectJobShape(res.body);
    expect(res.body).toMatchObject({
      integration_id: integrationId,
      status: 'queued',
      sync_type: 'products',
      priority: 'high',
      queue: 'high_priority',
      origin: 'api',
      deduplicated: false,
      options: { full_sync: true, batch_size: 100, dry_run: false },
    });
    jobId = res.body.id;
    const row = await stack.db
      .selectFrom('sync_jobs')
      .selectAll()
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sync_type: 'PRODUCTS', priority: 'HIGH', queue: 'high_priority' });
  });

  it('Verificar Status do Job: GET /api/sync/jobs/{job_id} → 200 with that job', async () => {
    expect(jobId).toBeDefined();
    const res = await curl(SEED_GET_JOB, jobId);
    expect(res.status).toBe(200);
    expectJobShape(res.body);
    expect(res.body).toMatchObject({ id: jobId, sync_type: 'products', priority: 'high' });
    expect(res.body).not.toHaveProperty('deduplicated');
  });

  it('Listar Jobs: GET /api/sync/jobs?status=running&limit=10 → 200 with only running jobs', async () => {
    // The worker picks the job up; list while it runs so the page is not trivially empty.
    await waitFor('the seed job to be running', async () => (await getJob(jobId)).status === 'running');
    const res = await curl(SEED_LIST_JOBS);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jobs', 'limit', 'offset', 'total']);
    expect(res.body).toMatchObject({ limit: 10, offset: 0 });
    expect(Array.isArray(res.body.jobs)).toBe(true);
    expect(res.body.jobs.length).toBeLessThanOrEqual(10);
    expect(res.body.total).toBeGreaterThanOrEqual(res.body.jobs.length);
    for (const job of res.body.jobs) {
      expectJobShape(job);
      expect(job.status).toBe('running');
    }
    // It may have finished between the wait and the list, but then it is not listed as running.
    const listed = res.body.jobs.some((j: { id: string }) => j.id === jobId);
    const now = await getJob(jobId);
    expect(listed || now.status === 'completed').toBe(true);
  });

  it('Estatísticas da Fila: GET /api/sync/queue/stats → 200 with all eight queues and totals', async () => {
    const res = await curl(SEED_QUEUE_STATS);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.queues)).toEqual([
      'urgent',
      'high_priority',
      'sync_products',
      'sync_inventory',
      'sync_orders',
      'sync_bulk',
      'maintenance',
      'default',
    ]);
    expect(Object.keys(res.body.queues)).toEqual([...QUEUE_NAMES]);
    const queues: Record<string, Record<string, unknown>> = res.body.queues;
    for (const figures of Object.values(queues)) {
      expect(Object.keys(figures).sort()).toEqual([
        'active',
        'completed_last_hour',
        'delayed',
        'failed_last_hour',
        'oldest_waiting_seconds',
        'waiting',
      ]);
      for (const key of ['waiting', 'active', 'delayed', 'completed_last_hour', 'failed_last_hour']) {
        expect(Number.isInteger(figures[key])).toBe(true);
        expect(figures[key]).toBeGreaterThanOrEqual(0);
      }
      expect(
        figures.oldest_waiting_seconds === null || typeof figures.oldest_waiting_seconds === 'number',
      ).toBe(true);
    }
    expect(Object.keys(res.body.totals).sort()).toEqual([
      'cancelled',
      'completed',
      'failed',
      'queued',
      'running',
    ]);
    const totals = res.body.totals as Record<string, number>;
    // The one job so far is in high_priority, running or already completed.
    expect(totals.queued! + totals.running! + totals.completed!).toBe(1);
    const hp = res.body.queues.high_priority;
    expect(hp.waiting + hp.active + hp.completed_last_hour).toBe(1);
    expect(Number.isNaN(Date.parse(res.body.generated_at))).toBe(false);
  });

  it('Sincronização Rápida: POST /api/sync/quick → 201 with products and inventory jobs in high_priority', async () => {
    const res = await curl(SEED_QUICK_SYNC);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(['jobs']);
    expect(res.body.jobs).toHaveLength(2);
    for (const job of res.body.jobs) {
      expectJobShape(job);
      expect(job).toMatchObject({ priority: 'high', queue: 'high_priority', origin: 'quick' });
    }
    expect(res.body.jobs.map((j: { sync_type: string }) => j.sync_type)).toEqual(['products', 'inventory']);
    quickJobIds = res.body.jobs.map((j: { id: string }) => j.id);
    // The seed job had left QUEUED (it was running), so quick sync queued a fresh products job beside it.
    expect(quickJobIds).not.toContain(jobId);
    expect(res.body.jobs.every((j: { deduplicated: boolean }) => j.deduplicated === false)).toBe(true);
  });

  it('the job created by the first command runs to completed, as do the quick-sync jobs', async () => {
    const done = await waitFor(
      'the seed job to complete',
      async () => {
        const job = await getJob(jobId);
        if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`job ended ${job.status}`);
        return job.status === 'completed' && job;
      },
      { timeoutMs: 30_000 },
    );
    expect(done).toMatchObject({ id: jobId, status: 'completed', progress: 100, processed_items: 100 });
    expect(done.finished_at).not.toBeNull();
    expect(done.started_at).not.toBeNull();

    for (const id of quickJobIds) {
      const job = await waitFor(
        `quick job ${id} to complete`,
        async () => {
          const j = await getJob(id);
          return j.status === 'completed' && j;
        },
        { timeoutMs: 30_000 },
      );
      expect(job.finished_at).not.toBeNull();
    }

    // Afterwards the seed's GET reports the finished job too.
    const res = await curl(SEED_GET_JOB, jobId);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: jobId, status: 'completed' });
  });
});

describe('the seed endpoints without a curl example', () => {
  it('DELETE /api/sync/jobs/{job_id} cancels a queued job (200), then refuses with 409 JOB_ALREADY_FINISHED', async () => {
    // A job scheduled an hour ahead stays QUEUED even with a worker running.
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await fetch(`${stack.url}/api/sync/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ integration_id: integrationId, sync_type: 'orders', run_at: runAt }),
    });
    expect(created.status).toBe(201);
    const job = (await created.json()) as { id: string; status: string; run_at: string };
    expect(job.status).toBe('queued');
    expect(job.run_at).toBe(runAt);

    const first = await fetch(`${stack.url}/api/sync/jobs/${job.id}`, { method: 'DELETE' });
    expect(first.status).toBe(200);
    const cancelled = (await first.json()) as Record<string, unknown>;
    expect(cancelled).toMatchObject({ id: job.id, status: 'cancelled' });
    expect(cancelled.finished_at).not.toBeNull();

    const second = await fetch(`${stack.url}/api/sync/jobs/${job.id}`, { method: 'DELETE' });
    expect(second.status).toBe(409);
    const body = (await second.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe('JOB_ALREADY_FINISHED');
    expect(body.error.details).toEqual({ status: 'CANCELLED' });
    expect((await getJob(job.id)).status).toBe('cancelled');
  });

  it('DELETE on a completed job is 409 JOB_ALREADY_FINISHED', async () => {
    const res = await fetch(`${stack.url}/api/sync/jobs/${jobId}`, { method: 'DELETE' });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe('JOB_ALREADY_FINISHED');
    expect((await getJob(jobId)).status).toBe('completed');
  });

  it('POST /api/sync/jobs/bulk {"jobs": [...]} → 201 with created/deduplicated counts, and the jobs run', async () => {
    const other = await createSandboxIntegration(stack.url, { products: 5, orders: 5, latencyMs: 0 });
    const jobs = [
      { integration_id: other, sync_type: 'products' },
      { integration_id: other, sync_type: 'inventory', options: { batch_size: 10 } },
      { integration_id: other, sync_type: 'orders', priority: 'low' },
      // Same (integration, type) as the first while it waits: the same job, not a second one.
      { integration_id: other, sync_type: 'products', options: { full_sync: true } },
    ];
    const res = await fetch(`${stack.url}/api/sync/jobs/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jobs }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { jobs: any[]; created: number; deduplicated: number };
    expect(Object.keys(body).sort()).toEqual(['created', 'deduplicated', 'jobs']);
    expect(body).toMatchObject({ created: 3, deduplicated: 1 });
    expect(body.jobs).toHaveLength(4);
    expect(body.jobs.map((j) => j.sync_type)).toEqual(['products', 'inventory', 'orders', 'products']);
    expect(body.jobs.map((j) => j.deduplicated)).toEqual([false, false, false, true]);
    expect(body.jobs[3].id).toBe(body.jobs[0].id);
    expect(
      body.jobs.every((j) => j.queue === 'sync_bulk' && j.origin === 'bulk' && j.status === 'queued'),
    ).toBe(true);
    expect(body.jobs[1].options.batch_size).toBe(10);

    const rows = await stack.db
      .selectFrom('sync_jobs')
      .select('id')
      .where('integration_id', '=', other)
      .execute();
    expect(rows).toHaveLength(3);

    for (const id of new Set(body.jobs.map((j) => j.id as string))) {
      await waitFor(`bulk job ${id} to complete`, async () => (await getJob(id)).status === 'completed', {
        timeoutMs: 30_000,
      });
    }
  });
});
