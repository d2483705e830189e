/**
 * The audit log: every privileged action, on REST and GraphQL, is recorded with who did it (key id and name, or
 * "local" with auth off), when, on what and with which arguments (never secrets); only admins read it, with
 * filters and cursor paging; cleanup deletes entries older than the retention.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncJob } from '../../db/types.ts';
import { cleanupHandler } from '../../server/handlers/cleanup.ts';
import { createLogger } from '../../server/logger.ts';
import { bearer, createTestKeys, gqlAs, type TestKeys } from '../helpers/auth.ts';
import { startTestStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
let keys: TestKeys;
let integrationId: string;

beforeAll(async () => {
  stack = await startTestStack({ env: { API_AUTH: 'required' } });
  keys = await createTestKeys(stack);
  integrationId = (await stack.api.services.integrations.create({ name: 'Audit store' })).id;
});

afterAll(async () => {
  await stack?.stop();
});

async function asAdmin<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { body } = await gqlAs<T>(stack.url, keys.admin, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

async function asOperator<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { body } = await gqlAs<T>(stack.url, keys.operator, query, variables);
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

async function queuedJob(syncType: string): Promise<string> {
  return (await stack.api.services.jobs.create({ integrationId, syncType })).job.id;
}

async function entries() {
  return stack.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
}

describe('the audit log', () => {
  it('records each privileged action with its actor, target and arguments, from REST and GraphQL', async () => {
    const start = (await entries()).length;
    const operator = { actor_key_id: keys.ids.operator, actor_name: 'test operator', actor_role: 'operator' };
    const admin = { actor_key_id: keys.ids.admin, actor_name: 'test admin', actor_role: 'admin' };

    // Jobs (operator): cancel over REST and GraphQL, retry, reschedule.
    const restCancel = await queuedJob('PRODUCTS');
    const res = await fetch(`${stack.url}/api/sync/jobs/${restCancel}`, {
      method: 'DELETE',
      headers: bearer(keys.operator),
    });
    expect(res.status).toBe(200);
    const gqlCancel = await queuedJob('INVENTORY');
    await asOperator('mutation($id: ID!) { cancelSyncJob(id: $id) { id } }', { id: gqlCancel });
    const retried = await asOperator<{ retrySyncJob: { job: { id: string } } }>(
      'mutation($id: ID!) { retrySyncJob(id: $id) { job { id } } }',
      { id: gqlCancel },
    );
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    await asOperator(
      'mutation($id: ID!, $at: DateTime!) { rescheduleSyncJob(id: $id, runAt: $at) { job { id } } }',
      {
        id: retried.retrySyncJob.job.id,
        at: runAt,
      },
    );
    // Queues (operator).
    await asOperator('mutation { pauseQueue(name: SYNC_BULK) { paused } }');
    await asOperator('mutation { resumeQueue(name: SYNC_BULK) { paused } }');
    await asOperator('mutation { purgeQueue(name: DEFAULT) { purged } }');
    // Integrations (admin), with a secret that must not reach the log.
    const created = await asAdmin<{ createIntegration: { id: string } }>(
      `mutation { createIntegration(input: { name: "Audited", credentials: { token: "s3cr3t-token" } }) { id } }`,
    );
    const newIntegration = created.createIntegration.id;
    await asAdmin(
      `mutation($id: ID!) { updateIntegration(id: $id, input: { name: "Audited 2", credentials: { password: "hunter2" } }) { id } }`,
      { id: newIntegration },
    );
    await asAdmin('mutation($id: ID!) { disableIntegration(id: $id) { id } }', { id: newIntegration });
    await asAdmin('mutation($id: ID!) { resumeIntegration(id: $id) { id } }', { id: newIntegration });
    // Schedules (admin).
    const schedule = await asAdmin<{ createSchedule: { id: string } }>(
      `mutation($i: ID!) { createSchedule(input: { name: "nightly", cron: "0 3 * * *", target: INTEGRATION, integrationId: $i, syncType: PRODUCTS }) { id } }`,
      { i: integrationId },
    );
    const scheduleId = schedule.createSchedule.id;
    await asAdmin('mutation($id: ID!) { updateSchedule(id: $id, input: { cron: "0 4 * * *" }) { id } }', {
      id: scheduleId,
    });
    await asAdmin('mutation($id: ID!) { pauseSchedule(id: $id) { id } }', { id: scheduleId });
    await asAdmin('mutation($id: ID!) { resumeSchedule(id: $id) { id } }', { id: scheduleId });
    await asAdmin('mutation($id: ID!) { deleteSchedule(id: $id) { id } }', { id: scheduleId });
    // Keys (admin).
    const key = await asAdmin<{ createApiKey: { secret: string; key: { id: string } } }>(
      'mutation { createApiKey(input: { name: "audited key", role: VIEWER, expiresIn: "1d" }) { secret key { id } } }',
    );
    await asAdmin('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.createApiKey.key.id });

    const log = (await entries()).slice(start);
    const summary = log.map((e) => [e.action, e.target]);
    expect(summary).toEqual([
      ['jobs.cancel', restCancel],
      ['jobs.cancel', gqlCancel],
      ['jobs.retry', gqlCancel],
      ['jobs.reschedule', retried.retrySyncJob.job.id],
      ['monitor.pauseQueue', 'sync_bulk'],
      ['monitor.resumeQueue', 'sync_bulk'],
      ['monitor.purgeQueue', 'default'],
      ['integrations.create', newIntegration],
      ['integrations.update', newIntegration],
      ['integrations.setEnabled', newIntegration],
      ['integrations.resume', newIntegration],
      ['schedules.create', scheduleId],
      ['schedules.update', scheduleId],
      ['schedules.pause', scheduleId],
      ['schedules.resume', scheduleId],
      ['schedules.delete', scheduleId],
      ['access.createApiKey', key.createApiKey.key.id],
      ['access.revokeApiKey', key.createApiKey.key.id],
    ]);
    for (const e of log.slice(0, 7)) expect(e).toMatchObject(operator);
    for (const e of log.slice(7)) expect(e).toMatchObject(admin);
    expect(log[2]!.args).toMatchObject({ resultJobId: retried.retrySyncJob.job.id });
    expect(log[3]!.args).toEqual({ input: runAt });
    expect(log[7]!.args).toEqual({
      input: { name: 'Audited', platform: 'SANDBOX', credentials: '[redacted]' },
    });
    expect(log[9]!.args).toEqual({ input: false });
    expect(log[16]!.args).toMatchObject({ input: { name: 'audited key', role: 'viewer', expiresIn: '1d' } });
    const text = JSON.stringify(log);
    for (const secret of ['s3cr3t-token', 'hunter2', key.createApiKey.secret])
      expect(text).not.toContain(secret);
  });

  it('is read by admins only, filtered by action, key and time, page by page', async () => {
    const forbidden = await gqlAs(stack.url, keys.operator, '{ auditLog { totalCount } }');
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const page = `query($filter: AuditLogFilter, $after: String) {
      auditLog(filter: $filter, first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        nodes { action target actorKeyId actorName actorRole args at }
      }
    }`;
    const cancels = await asAdmin(page, { filter: { action: ['jobs.cancel'] } });
    expect(cancels.auditLog.totalCount).toBe(2);
    expect(cancels.auditLog.nodes.map((n: any) => n.action)).toEqual(['jobs.cancel', 'jobs.cancel']);
    expect(cancels.auditLog.nodes[0]).toMatchObject({ actorName: 'test operator', actorRole: 'OPERATOR' });

    const byOperator = await asAdmin(page, { filter: { keyId: keys.ids.operator } });
    expect(byOperator.auditLog.totalCount).toBe(7);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const p: any = await asAdmin(page, {
        filter: { keyId: keys.ids.operator },
        ...(after ? { after } : {}),
      });
      seen.push(...p.auditLog.nodes.map((n: any) => n.action));
      if (!p.auditLog.pageInfo.hasNextPage) break;
      after = p.auditLog.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(7);
    expect(seen[0]).toBe('monitor.purgeQueue'); // newest first
    expect(seen.at(-1)).toBe('jobs.cancel');

    const future = await asAdmin(page, { filter: { after: new Date(Date.now() + 60_000).toISOString() } });
    expect(future.auditLog.totalCount).toBe(0);
  });

  it('records "local" as the actor when API auth is off', async () => {
    const open = await startTestStack();
    try {
      const integration = await open.api.services.integrations.create({ name: 'Open store' });
      const { job } = await open.api.services.jobs.create({
        integrationId: integration.id,
        syncType: 'ORDERS',
      });
      const res = await fetch(`${open.url}/api/sync/jobs/${job.id}`, { method: 'DELETE' });
      expect(res.status).toBe(200);
      const rows = await open.db.selectFrom('audit_log').selectAll().execute();
      expect(rows).toEqual([
        expect.objectContaining({
          action: 'jobs.cancel',
          target: job.id,
          actor_name: 'local',
          actor_key_id: null,
        }),
      ]);
    } finally {
      await open.stop();
    }
  });

  it('is trimmed by the retention cleanup, in batches', async () => {
    await sql`
      INSERT INTO audit_log (at, actor_name, action, target)
      SELECT now() - interval '40 days' - g * interval '1 second', 'old', 'jobs.cancel', 'x'
      FROM generate_series(1, 25) g`.execute(stack.db);
    const before = await entries();
    const summary = await cleanupHandler.run({
      job: { id: '00000000-0000-4000-8000-000000000002' } as SyncJob,
      options: cleanupHandler.options.parse({ olderThanMs: 30 * 86_400_000, batchSize: 10 }),
      db: stack.db,
      signal: new AbortController().signal,
      progress: () => undefined,
      log: createLogger({ name: 'test', level: 'silent' }),
    });
    expect(summary.details).toMatchObject({ auditEntriesRemoved: 25 });
    const after = await entries();
    expect(after).toHaveLength(before.length - 25);
    expect(after.some((e) => e.actor_name === 'old')).toBe(false);
  });
});
