/**
 * Per-job logs: what a job's handler logs at info and above is kept per job (the newest JOB_LOG_LINES), whatever
 * the process log level, and returned by `SyncJob.logs` and `GET /api/sync/jobs/{id}/logs`; a sandbox job's lines,
 * logged by a worker process, also carry the job id, attempt and integration on stdout.
 */
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findSyncJobById } from '../../db/queries/sync-job.ts';
import type { SyncJob } from '../../db/types.ts';
import { REDACTED, createLogger } from '../../server/logger.ts';
import { createJobLogSink } from '../../server/monitor/job-log-sink.ts';
import { scriptedHandlers } from '../helpers/handlers.ts';
import {
  createSandboxIntegration,
  gql,
  spawnWorker,
  startTestStack,
  type ChildWorker,
  type TestStack,
} from '../helpers/stack.ts';
import { waitFor } from '../helpers/wait.ts';

interface LogLine {
  at: string;
  level: string;
  attempt: number;
  message: string;
  data: Record<string, unknown> | null;
  workerId: string | null;
}

const LINES = 50;
const handlers = scriptedHandlers(async (ctx) => {
  ctx.log.debug('not kept: below info');
  for (let i = 1; i <= 120; i++) ctx.log.info(`line ${i}`);
  ctx.log.child({ step: 'final' }).warn({ count: 3, password: 'hunter2' }, 'almost done');
  return { processed: 1, total: 1, failed: 0 };
});
let stack: TestStack;
let integrationId: string;
const children: ChildWorker[] = [];

async function logsOf(id: string, last?: number): Promise<LogLine[]> {
  const res = await gql<{ job: { logs: LogLine[] } }>(
    stack.url,
    `query($id: ID!, $last: Int) { job(id: $id) { logs(last: $last) { at level attempt message data workerId } } }`,
    { id, ...(last ? { last } : {}) },
  );
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return res.data.job.logs;
}

async function completed(id: string): Promise<SyncJob> {
  return waitFor(
    'job completed',
    async () => {
      const j = await findSyncJobById(stack.db, id);
      return j?.status === 'COMPLETED' ? j : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

beforeAll(async () => {
  // LOG_LEVEL=silent (the test default): the job's lines are kept regardless of the process log level.
  stack = await startTestStack({
    env: { JOB_LOG_LINES: String(LINES) },
    getHandler: handlers.getHandler,
    workers: 1,
  });
  integrationId = await createSandboxIntegration(stack.url, { products: 0, orders: 0 });
});

afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
});

afterAll(async () => {
  await stack.stop();
});

describe('SyncJob.logs', () => {
  it('keeps the newest lines per job (info and above, redacted), returned oldest first', async () => {
    const a = (await stack.api.services.jobs.create({ integrationId, syncType: 'PRODUCTS' })).job;
    const b = (await stack.api.services.jobs.create({ integrationId, syncType: 'ORDERS' })).job;
    await Promise.all([completed(a.id), completed(b.id)]);
    const lines = await waitFor('the lines to be stored', async () => {
      const l = await logsOf(a.id, 500);
      return l.length === LINES && l.at(-1)?.message === 'almost done' ? l : undefined;
    });
    expect(lines.map((l) => l.message)).toEqual([
      ...Array.from({ length: LINES - 1 }, (_, i) => `line ${120 - LINES + 2 + i}`),
      'almost done',
    ]);
    expect(lines.every((l) => l.attempt === 1)).toBe(true);
    expect(lines.every((l) => l.workerId === stack.workers[0]!.id)).toBe(true);
    expect(lines.at(-1)).toMatchObject({
      level: 'WARN',
      data: { step: 'final', count: 3, password: '[redacted]' },
    });
    expect(lines[0]).toMatchObject({ level: 'INFO', data: null });
    const times = lines.map((l) => new Date(l.at).getTime());
    expect([...times].sort((x, y) => x - y)).toEqual(times);
    // The default window is the newest 200; `last` narrows it.
    expect((await logsOf(a.id)).length).toBe(LINES);
    expect((await logsOf(a.id, 2)).map((l) => l.message)).toEqual(['line 120', 'almost done']);
    // Each job has its own lines.
    const other = await logsOf(b.id, 500);
    expect(other).toHaveLength(LINES);
    expect(other.every((l) => l.attempt === 1)).toBe(true);
  });

  it('writes in batches: one INSERT for every buffered line of every job, never one per line', async () => {
    const statements: string[] = [];
    const counting: KyselyPlugin = {
      transformQuery: (args: { node: RootOperationNode }) => {
        statements.push(args.node.kind);
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const jobs = await Promise.all(
      ['PRODUCTS', 'ORDERS'].map(async (syncType) => {
        const { job } = await stack.api.services.jobs.create({
          integrationId,
          syncType,
          runAt: new Date(Date.now() + 3_600_000).toISOString(),
        });
        return { ...job, attempts: 1 };
      }),
    );
    const sink = createJobLogSink({
      db: stack.db.withPlugin(counting),
      log: createLogger({ name: 'test', level: 'silent' }),
      workerId: 'w1',
      maxLinesPerJob: 20,
      flushIntervalMs: 60_000,
    });
    const silent = createLogger({ name: 'test', level: 'silent' });
    for (const job of jobs) {
      const log = sink.wrap(silent.child({ jobId: job.id }), job);
      for (let i = 1; i <= 300; i++) log.info({ i }, `step ${i}`);
    }
    expect(statements).toEqual([]);
    await sink.flush();
    // One INSERT … SELECT FROM unnest(…) for 600 lines of two jobs: the newest 20 of each, and nothing older is
    // stored, so there is nothing to trim and no DELETE.
    expect(statements).toHaveLength(1);
    for (const job of jobs) {
      const lines = await logsOf(job.id, 100);
      expect(lines.map((l) => l.message)).toEqual(Array.from({ length: 20 }, (_, i) => `step ${281 + i}`));
      expect(lines[0]).toMatchObject({ workerId: 'w1', attempt: 1, data: { i: 281 } });
    }
    // Five more lines each take both jobs over the limit: one INSERT and one trimming DELETE.
    for (const job of jobs) {
      const log = sink.wrap(silent.child({ jobId: job.id }), job);
      for (let i = 301; i <= 305; i++) log.info({ i }, `step ${i}`);
    }
    await sink.stop();
    expect(statements).toHaveLength(3);
    for (const job of jobs) {
      const lines = await logsOf(job.id, 100);
      expect(lines.map((l) => l.message)).toEqual(Array.from({ length: 20 }, (_, i) => `step ${286 + i}`));
      await stack.api.services.jobs.cancel(job.id);
    }
  });

  it('stores child bindings and every call shape with its fields redacted, and nothing below info', async () => {
    const { job } = await stack.api.services.jobs.create({
      integrationId,
      syncType: 'PRODUCTS',
      runAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const sink = createJobLogSink({
      db: stack.db,
      log: createLogger({ name: 'test', level: 'silent' }),
      workerId: 'w1',
      maxLinesPerJob: 20,
      flushIntervalMs: 60_000,
    });
    const silent = createLogger({ name: 'test', level: 'silent' });
    const log = sink.wrap(silent.child({ jobId: job.id }), { ...job, attempts: 1 }).child({
      step: 'a',
      password: 'hunter2',
    });
    log.info({ n: 1, apiKey: 'k-123', nested: { refreshToken: 't-456' } }, 'direct');
    log.info({ n: 1, apiKey: 'k-123', nested: { refreshToken: 't-456' } }, 'via %s', 'pino');
    log.warn('plain message');
    log.debug({ n: 2 }, 'below info: not kept');
    await sink.stop();
    const lines = await logsOf(job.id, 10);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'direct'],
      ['INFO', 'via pino'],
      ['WARN', 'plain message'],
    ]);
    const fields = {
      step: 'a',
      password: REDACTED,
      n: 1,
      apiKey: REDACTED,
      nested: { refreshToken: REDACTED },
    };
    expect(lines[0]?.data).toEqual(fields);
    expect(lines[1]?.data).toEqual(fields);
    expect(lines[2]?.data).toEqual({ step: 'a', password: REDACTED });
    await stack.api.services.jobs.cancel(job.id);
  });

  it('REST: GET /api/sync/jobs/{id}/logs', async () => {
    const job = (await stack.api.services.jobs.create({ integrationId, syncType: 'INVENTORY' })).job;
    await completed(job.id);
    await waitFor('lines stored', async () => (await logsOf(job.id)).length === LINES);
    const res = await fetch(`${stack.url}/api/sync/jobs/${job.id}/logs?limit=3`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { job_id: string; logs: Record<string, unknown>[] };
    expect(body.job_id).toBe(job.id);
    expect(body.logs.map((l) => l.message)).toEqual(['line 119', 'line 120', 'almost done']);
    expect(body.logs[2]).toMatchObject({ level: 'warn', attempt: 1, worker_id: stack.workers[0]!.id });

    const missing = await fetch(`${stack.url}/api/sync/jobs/00000000-0000-4000-8000-000000000000/logs`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('JOB_NOT_FOUND');
    const bad = await fetch(`${stack.url}/api/sync/jobs/not-a-uuid/logs`);
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${stack.url}/api/sync/jobs/${job.id}/logs?level=debug`);
    expect(unknown.status).toBe(400);
    const post = await fetch(`${stack.url}/api/sync/jobs/${job.id}/logs`, { method: 'POST' });
    expect(post.status).toBe(405);
  });
});

describe('a sandbox job run by a worker process', () => {
  let own: TestStack;

  beforeAll(async () => {
    own = await startTestStack();
  });

  afterAll(async () => {
    await own?.stop();
  });

  it('stores its handler lines for the job, and prints them on stdout with job id, attempt and integration', async () => {
    const child = await spawnWorker(own.env);
    children.push(child);
    const sandbox = await createSandboxIntegration(own.url, {
      products: 30,
      variantsPerProduct: 1,
      orders: 0,
    });
    const { job } = await own.api.services.jobs.create({ integrationId: sandbox, syncType: 'PRODUCTS' });
    const done = await waitFor('job completed', async () => {
      const j = await findSyncJobById(own.db, job.id);
      return j?.status === 'COMPLETED' ? j : undefined;
    });
    expect(done.worker_id).toContain(`:${child.child.pid}:`);
    const lines = await waitFor('the sandbox lines', async () => {
      const res = await gql<{ job: { logs: LogLine[] } }>(
        own.url,
        'query($id: ID!) { job(id: $id) { logs { level attempt message data workerId } } }',
        { id: job.id },
      );
      const l = res.data?.job.logs ?? [];
      return l.some((x) => x.message === 'resource sync finished') ? l : undefined;
    });
    expect(lines.find((l) => l.message === 'resource sync started')).toMatchObject({
      level: 'INFO',
      attempt: 1,
      data: { resource: 'products', total: 30 },
      workerId: done.worker_id,
    });
    expect(lines.find((l) => l.message === 'resource sync finished')?.data).toMatchObject({ processed: 30 });

    // The process log: JSON lines, each of the job's lines bound to the job.
    const stdout = child
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.jobId === job.id);
    expect(stdout.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['resource sync started', 'resource sync finished']),
    );
    for (const line of stdout) {
      expect(line).toMatchObject({ jobId: job.id, attempt: 1, integrationId: sandbox, syncType: 'PRODUCTS' });
    }
  });
});
