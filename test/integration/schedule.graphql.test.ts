/**
 * Schedules over GraphQL against a running API: the seed schedules, create / update / pause / resume / delete, the
 * computed next slots, run history, and validation errors (VALIDATION_FAILED with the field of each problem).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxIntegration, gql, startTestStack, type TestStack } from '../helpers/stack.ts';

type GqlResult = Awaited<ReturnType<typeof gql>>;
type GqlError = NonNullable<GqlResult['errors']>[number];

let stack: TestStack;
let storeId: string;

beforeAll(async () => {
  stack = await startTestStack({ workers: 0 });
  storeId = await createSandboxIntegration(stack.url, { products: 5 });
});

afterAll(async () => {
  await stack?.stop();
});

async function api<T = any>(query: string, variables: Record<string, unknown> = {}) {
  const result = await gql<T>(stack.url, query, variables);
  for (const error of result.errors ?? []) {
    expect(error.extensions?.code, error.message).not.toBe('INTERNAL_ERROR');
  }
  return result;
}

async function ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const result = await api<T>(query, variables);
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data!;
}

async function fails(
  code: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlError> {
  const result = await api(query, variables);
  expect(result.errors, JSON.stringify(result.data)).toHaveLength(1);
  const error = result.errors![0]!;
  expect(error.extensions?.code, error.message).toBe(code);
  return error;
}

const problemPaths = (error: GqlError) =>
  (error.extensions?.details?.problems as { path: string }[]).map((p) => p.path).sort();

const SCHEDULE = `id name cron timezone target syncType integrationId integration { id name } priority
  options { fullSync batchSize dryRun } enabled missedRunPolicy nextRunAt lastRunAt lastRunSlot lastJobIds
  lastError { code message slot } createdAt updatedAt`;

const CREATE = `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { ${SCHEDULE} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateScheduleInput!) { updateSchedule(id: $id, input: $input) { ${SCHEDULE} } }`;
const PAUSE = `mutation($id: ID!) { pauseSchedule(id: $id) { ${SCHEDULE} } }`;
const RESUME = `mutation($id: ID!) { resumeSchedule(id: $id) { ${SCHEDULE} } }`;
const DELETE = `mutation($id: ID!) { deleteSchedule(id: $id) { id name } }`;
const GET = `query($id: ID!) { schedule(id: $id) { ${SCHEDULE} upcoming(count: 3) } }`;

describe('schedules over GraphQL', () => {
  it('lists the seed schedules of a fresh install, with their next slots', async () => {
    const { schedules } = await ok(`{ schedules { ${SCHEDULE} upcoming(count: 2) } }`);
    expect(schedules).toHaveLength(2);
    const [cleanup, fullSync] = schedules;
    expect(cleanup).toMatchObject({
      name: 'cleanup old jobs',
      cron: '0 2 * * *',
      timezone: 'America/Sao_Paulo',
      target: 'CLEANUP',
      syncType: null,
      integrationId: null,
      options: null,
      enabled: true,
      missedRunPolicy: 'RUN_ONCE',
      lastRunAt: null,
      lastJobIds: [],
    });
    expect(fullSync).toMatchObject({
      name: 'full sync all integrations',
      cron: '0 3 * * *',
      timezone: 'America/Sao_Paulo',
      target: 'ALL_INTEGRATIONS',
      syncType: 'ALL',
      options: { fullSync: false, batchSize: 100, dryRun: false },
    });
    // 02:00 and 03:00 in São Paulo are 05:00 and 06:00 UTC.
    expect(cleanup.nextRunAt).toMatch(/T05:00:00\.000Z$/);
    expect(fullSync.nextRunAt).toMatch(/T06:00:00\.000Z$/);
    expect(Date.parse(cleanup.nextRunAt)).toBeGreaterThan(Date.now());
    expect(Date.parse(fullSync.upcoming[1]) - Date.parse(fullSync.upcoming[0])).toBe(86_400_000);
  });

  it('creates, reads, updates, pauses, resumes and deletes a schedule', async () => {
    const { createSchedule: created } = await ok(CREATE, {
      input: {
        name: 'store products every 15 minutes',
        cron: '*/15 * * * *',
        target: 'INTEGRATION',
        integrationId: storeId,
        syncType: 'PRODUCTS',
        priority: 'HIGH',
        options: { fullSync: true },
      },
    });
    expect(created).toMatchObject({
      cron: '*/15 * * * *',
      timezone: 'America/Sao_Paulo', // the configured default (CELERY_TIMEZONE)
      target: 'INTEGRATION',
      syncType: 'PRODUCTS',
      integrationId: storeId,
      integration: { id: storeId, name: 'Test store' },
      priority: 'HIGH',
      options: { fullSync: true, batchSize: 100, dryRun: false },
      enabled: true,
      missedRunPolicy: 'RUN_ONCE',
      lastError: null,
    });
    const next = Date.parse(created.nextRunAt);
    expect(next).toBeGreaterThan(Date.now());
    expect(next - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(new Date(next).getUTCMinutes() % 15).toBe(0);

    const { schedule: read } = await ok(GET, { id: created.id });
    expect(read.upcoming).toHaveLength(3);
    expect(read.upcoming[0]).toBe(created.nextRunAt);
    expect(Date.parse(read.upcoming[2]) - Date.parse(read.upcoming[1])).toBe(15 * 60_000);

    // A new expression and timezone plan the next slot again; the target change clears integrationId.
    const { updateSchedule: updated } = await ok(UPDATE, {
      id: created.id,
      input: {
        cron: '30 0 4 * * 1-5',
        timezone: 'europe/lisbon',
        target: 'ALL_INTEGRATIONS',
        missedRunPolicy: 'SKIP',
      },
    });
    expect(updated).toMatchObject({
      name: 'store products every 15 minutes',
      cron: '30 0 4 * * 1-5',
      timezone: 'Europe/Lisbon',
      target: 'ALL_INTEGRATIONS',
      syncType: 'ALL',
      integrationId: null,
      options: { fullSync: false, batchSize: 100, dryRun: false },
      priority: 'HIGH',
      missedRunPolicy: 'SKIP',
    });
    expect(updated.nextRunAt).not.toBe(created.nextRunAt);
    expect(Date.parse(updated.nextRunAt)).toBeGreaterThan(Date.now());
    expect(new Date(updated.nextRunAt).getUTCSeconds()).toBe(30);

    const { pauseSchedule: paused } = await ok(PAUSE, { id: created.id });
    expect(paused).toMatchObject({ enabled: false, nextRunAt: null });
    const { resumeSchedule: resumed } = await ok(RESUME, { id: created.id });
    expect(resumed.enabled).toBe(true);
    expect(resumed.nextRunAt).toBe(updated.nextRunAt);

    const { schedules } = await ok(`query { schedules(enabled: true) { id } }`);
    expect(schedules.map((s: { id: string }) => s.id)).toContain(created.id);

    const { deleteSchedule } = await ok(DELETE, { id: created.id });
    expect(deleteSchedule).toEqual({ id: created.id, name: 'store products every 15 minutes' });
    expect((await ok(GET, { id: created.id })).schedule).toBeNull();
    await fails('SCHEDULE_NOT_FOUND', DELETE, { id: created.id });
    await fails('SCHEDULE_NOT_FOUND', PAUSE, { id: created.id });
    await fails('SCHEDULE_NOT_FOUND', UPDATE, { id: created.id, input: { name: 'x' } });
  });

  it('refuses a bad cron expression or timezone with VALIDATION_FAILED, naming the field', async () => {
    const base = { name: 'bad', target: 'CLEANUP' };
    for (const cron of ['61 * * * *', '* * * *', '0 0 * * * * 2030', '@daily', '0 0 30 2 *', 'every day']) {
      const error = await fails('VALIDATION_FAILED', CREATE, { input: { ...base, cron } });
      expect(problemPaths(error), cron).toEqual(['cron']);
    }
    for (const timezone of ['Mars/Olympus', '+03:00', 'GMT+3', '']) {
      const error = await fails('VALIDATION_FAILED', CREATE, {
        input: { ...base, cron: '0 2 * * *', timezone },
      });
      expect(problemPaths(error), timezone).toEqual(['timezone']);
    }
    const both = await fails('VALIDATION_FAILED', CREATE, {
      input: { ...base, cron: 'nope', timezone: 'Nowhere/Land' },
    });
    expect(problemPaths(both)).toEqual(['cron', 'timezone']);
    expect(both.message).toMatch(/^(cron|timezone): /);
    expect(await ok(`{ schedules { name } }`)).toEqual({
      schedules: [{ name: 'cleanup old jobs' }, { name: 'full sync all integrations' }],
    });
  });

  it('refuses inconsistent targets, unknown integrations and taken names', async () => {
    const noIntegration = await fails('VALIDATION_FAILED', CREATE, {
      input: { name: 'x', cron: '0 * * * *', target: 'INTEGRATION' },
    });
    expect(problemPaths(noIntegration)).toEqual(['integrationId']);
    const cleanupWithType = await fails('VALIDATION_FAILED', CREATE, {
      input: {
        name: 'x',
        cron: '0 * * * *',
        target: 'CLEANUP',
        syncType: 'ORDERS',
        options: { dryRun: true },
      },
    });
    expect(problemPaths(cleanupWithType)).toEqual(['options', 'syncType']);
    const allWithOne = await fails('VALIDATION_FAILED', CREATE, {
      input: { name: 'x', cron: '0 * * * *', target: 'ALL_INTEGRATIONS', integrationId: storeId },
    });
    expect(problemPaths(allWithOne)).toEqual(['integrationId']);
    const badOptions = await fails('VALIDATION_FAILED', CREATE, {
      input: { name: 'x', cron: '0 * * * *', target: 'ALL_INTEGRATIONS', options: { batchSize: 5000 } },
    });
    expect(problemPaths(badOptions)).toEqual(['options.batchSize']);
    await fails('INTEGRATION_NOT_FOUND', CREATE, {
      input: {
        name: 'x',
        cron: '0 * * * *',
        target: 'INTEGRATION',
        integrationId: '00000000-0000-4000-8000-000000000000',
      },
    });
    const taken = await fails('VALIDATION_FAILED', CREATE, {
      input: { name: 'cleanup old jobs', cron: '0 4 * * *', target: 'CLEANUP' },
    });
    expect(problemPaths(taken)).toEqual(['name']);
    await fails('VALIDATION_FAILED', GET, { id: 'not-a-uuid' });
    // An update is validated as a whole and changes nothing when refused.
    const { schedules } = await ok(`{ schedules { id cron timezone } }`);
    const seed = schedules[0];
    const error = await fails('VALIDATION_FAILED', UPDATE, {
      id: seed.id,
      input: { timezone: 'Atlantis/Capital' },
    });
    expect(problemPaths(error)).toEqual(['timezone']);
    expect((await ok(GET, { id: seed.id })).schedule).toMatchObject({
      cron: seed.cron,
      timezone: seed.timezone,
    });
  });

  it('shows the run history and the jobs of the last firing', async () => {
    const { createSchedule: schedule } = await ok(CREATE, {
      input: {
        name: 'hourly orders',
        cron: '0 * * * *',
        target: 'INTEGRATION',
        integrationId: storeId,
        syncType: 'ORDERS',
      },
    });
    const { createSyncJob } = await ok(
      `mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }`,
      { input: { integrationId: storeId, syncType: 'ORDERS' } },
    );
    const jobId = createSyncJob.job.id;
    // What a scheduler records when it fires a slot (the scheduler tests cover the firing itself).
    const slot = new Date('2026-05-10T14:00:00Z');
    await stack.db
      .insertInto('schedule_runs')
      .values([
        {
          schedule_id: schedule.id,
          slot: new Date('2026-05-10T13:00:00Z'),
          status: 'SKIPPED',
          claimed_at: slot,
          claimed_by: 'a',
        },
        {
          schedule_id: schedule.id,
          slot,
          status: 'FIRED',
          claimed_at: slot,
          claimed_by: 'b',
          attempts: 1,
          fired_at: slot,
          job_ids: [jobId],
          job_count: 1,
        },
      ])
      .execute();
    await stack.db
      .updateTable('schedules')
      .set({ last_run_at: slot, last_run_slot: slot, last_job_ids: [jobId] })
      .where('id', '=', schedule.id)
      .execute();

    const { schedule: read } = await ok(
      `query($id: ID!) { schedule(id: $id) { lastRunAt lastRunSlot lastJobIds lastJobs { id syncType }
        runs(first: 5) { slot status firedAt jobIds jobCount deduplicatedCount attempts error { code } } } }`,
      { id: schedule.id },
    );
    expect(read).toEqual({
      lastRunAt: '2026-05-10T14:00:00.000Z',
      lastRunSlot: '2026-05-10T14:00:00.000Z',
      lastJobIds: [jobId],
      lastJobs: [{ id: jobId, syncType: 'ORDERS' }],
      runs: [
        {
          slot: '2026-05-10T14:00:00.000Z',
          status: 'FIRED',
          firedAt: '2026-05-10T14:00:00.000Z',
          jobIds: [jobId],
          jobCount: 1,
          deduplicatedCount: 0,
          attempts: 1,
          error: null,
        },
        {
          slot: '2026-05-10T13:00:00.000Z',
          status: 'SKIPPED',
          firedAt: null,
          jobIds: [],
          jobCount: 0,
          deduplicatedCount: 0,
          attempts: 0,
          error: null,
        },
      ],
    });
    await ok(DELETE, { id: schedule.id });
  });

  it('still refuses CLEANUP as a sync type from users', async () => {
    const result = await api(
      `mutation($input: CreateSyncJobInput!) { createSyncJob(input: $input) { job { id } } }`,
      {
        input: { integrationId: storeId, syncType: 'CLEANUP' },
      },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const rest = await fetch(`${stack.url}/api/sync/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ integration_id: storeId, sync_type: 'cleanup' }),
    });
    expect(rest.status).toBe(400);
  });
});
