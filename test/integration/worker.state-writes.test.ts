/**
 * The per-job state writes of a worker, coalesced: concurrent claims and outcomes go to Postgres as one statement per
 * batch, each row keeps its own guard, each batch finds its rows by primary key however many jobs wait, and the
 * statements run as named prepared statements.
 */
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../db/database.ts';
import {
  STATE_SQL,
  claimSyncJobs,
  findSyncJobsByIds,
  insertSyncJobs,
  requestSyncJobCancel,
} from '../../db/queries/sync-job.ts';
import type { DB } from '../../db/types.ts';
import { createStateWrites } from '../../server/worker/durable-writes.ts';
import {
  createTestDatabase,
  insertSandboxIntegration,
  queuedJobRow,
  type TestDatabase,
} from '../helpers/db.ts';

let t: TestDatabase;
let integrationId: string;

async function newJobs(n: number): Promise<string[]> {
  const rows = await insertSyncJobs(
    t.db,
    Array.from({ length: n }, () => queuedJobRow(integrationId, { max_attempts: 3 })),
  );
  return rows.map((r) => r.id);
}

/** A handle on the test database that records the text of every statement it sends. */
function countingDatabase(): { db: Database; texts: string[] } {
  const texts: string[] = [];
  const pool = new pg.Pool({ connectionString: t.url, max: 3 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      if (typeof args[0] === 'string') texts.push(args[0]);
      return query(...args);
    }) as typeof client.query;
  });
  return { db: new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), texts };
}

beforeAll(async () => {
  t = await createTestDatabase();
  integrationId = await insertSandboxIntegration(t.db);
});

afterAll(async () => {
  await t.drop();
});

describe('coalesced state writes', () => {
  it('claims 40 concurrent deliveries in one statement, and records their 40 outcomes in one more', async () => {
    const ids = await newJobs(40);
    const counted = countingDatabase();
    try {
      const writes = createStateWrites(counted.db, 'w-batch');
      const claimed = await Promise.all(ids.map((id) => writes.claim(id, 'sync_products')));
      expect(claimed.map((c) => c?.job.status)).toEqual(ids.map(() => 'RUNNING'));
      expect(claimed.map((c) => c?.job.attempts)).toEqual(ids.map(() => 1));
      expect(claimed[0]?.integration?.id).toBe(integrationId);

      // One job's cancel is accepted meanwhile; one finish carries a stale attempt.
      await requestSyncJobCancel(t.db, ids[1]!);
      const finished = await Promise.all(
        ids.map((id, i) =>
          writes.finish(id, i === 2 ? 7 : 1, {
            status: i === 3 ? 'FAILED' : 'COMPLETED',
            counts: { processed: i, total: 40, failed: 0 },
            ...(i === 3 ? { error: { code: 'BOOM', message: 'boom', attempt: 1 } } : { result: { i } }),
          }),
        ),
      );
      const updates = counted.texts.filter((s) => s.startsWith('UPDATE sync_jobs'));
      expect(updates).toHaveLength(2);

      expect(finished[0]).toMatchObject({
        status: 'COMPLETED',
        processed_items: 0,
        progress: 100,
        result: { i: 0 },
      });
      expect(finished[1]).toMatchObject({ status: 'CANCELLED', error: { code: 'CANCELLED' } });
      expect(finished[2]).toBeUndefined();
      expect(finished[3]).toMatchObject({ status: 'FAILED', error: { code: 'BOOM' }, result: null });
      const rows = new Map((await findSyncJobsByIds(t.db, ids)).map((r) => [r.id, r]));
      expect(rows.get(ids[2]!)?.status).toBe('RUNNING');
      expect(ids.filter((id) => rows.get(id)?.status === 'COMPLETED')).toHaveLength(37);
    } finally {
      await counted.db.destroy();
    }
  });

  it('never claims the same job twice in one batch', async () => {
    const [id] = await newJobs(1);
    const writes = createStateWrites(t.db, 'w-dup');
    const [a, b] = await Promise.all([
      writes.claim(id!, 'sync_products'),
      writes.claim(id!, 'sync_products'),
    ]);
    // The second delivery runs in the next batch: a take-over of a RUNNING job, as two separate claims would be.
    expect(a?.job.attempts).toBe(1);
    expect(b?.job.attempts).toBe(2);
  });

  it('finds the rows of a batch by primary key among 20,000 waiting jobs, not by scanning them', async () => {
    // Statistics taken while none of 20,000 jobs waited, then all of them waiting again (a burst of retries or a
    // bulk, before autovacuum has looked): the planner believes the partial index of open jobs is nearly empty.
    const burst: string[] = [];
    for (let i = 0; i < 10; i++) burst.push(...(await newJobs(2000)));
    await t.db.updateTable('sync_jobs').set({ status: 'COMPLETED' }).where('id', 'in', burst).execute();
    await sql`ANALYZE sync_jobs`.execute(t.db);
    await t.db.updateTable('sync_jobs').set({ status: 'QUEUED' }).where('id', 'in', burst).execute();
    const ids = await newJobs(50);
    const plan = async (text: string, params: unknown[]) => {
      const { rows } = await poolOf(t.url).query(`EXPLAIN (FORMAT JSON) ${text}`, params);
      return JSON.stringify(rows);
    };
    const claim = await plan(STATE_SQL.claim, ['w', ids, ids.map(() => 'sync_products')]);
    expect(claim).toContain('sync_jobs_pkey');
    expect(claim).not.toContain('sync_jobs_open');
    const arrays = [
      ids,
      ids.map(() => 1),
      ids.map(() => 0),
      ids.map(() => 0),
      ids.map(() => 0),
      ids.map(() => 0),
    ];
    const tail = [ids.map(() => false), ids.map(() => null)];
    const finish = await plan(STATE_SQL.finish, [
      ...arrays,
      ...tail,
      ids.map(() => 'COMPLETED'),
      ids.map(() => null),
      ids.map(() => null),
    ]);
    expect(finish).toContain('sync_jobs_pkey');
    expect(finish).not.toContain('sync_jobs_open');
    const progress = await plan(STATE_SQL.progress, [...arrays, ...tail]);
    expect(progress).not.toContain('sync_jobs_open');
  });

  it('runs the claim as a named prepared statement on each connection, prepared again after a migration', async () => {
    const [id] = await newJobs(1);
    const db = createDatabase(t.url, { max: 1 });
    try {
      await claimSyncJobs(db, 'w-prep', [{ id: id!, queue: 'sync_products' }]);
      const { rows } = await sql<{
        name: string;
        statement: string;
      }>`SELECT name, statement FROM pg_prepared_statements`.execute(db);
      const claim = rows.find((r) => r.statement === STATE_SQL.claim);
      expect(claim?.name).toMatch(/^sync_orchestrator_\d+$/);

      // A migration adds a column while the statement is prepared on this connection: the next claim still works.
      await sql`ALTER TABLE sync_jobs ADD COLUMN added_later integer NOT NULL DEFAULT 7`.execute(t.db);
      const [next] = await newJobs(1);
      const again = await claimSyncJobs(db, 'w-prep', [{ id: next!, queue: 'sync_products' }]);
      expect(again.get(next!)?.job).toMatchObject({ status: 'RUNNING', added_later: 7 });
    } finally {
      await db.destroy();
    }
  });
});

const pools = new Map<string, pg.Pool>();
function poolOf(url: string): pg.Pool {
  let pool = pools.get(url);
  if (!pool) pools.set(url, (pool = new pg.Pool({ connectionString: url, max: 1 })));
  return pool;
}
afterAll(async () => {
  for (const pool of pools.values()) await pool.end();
});
