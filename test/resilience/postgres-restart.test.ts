/**
 * Postgres restarted (`pg_ctl restart -m fast`) while jobs run: workers retry their state writes and lose no
 * completion, the API answers 503 (not 500) while the database is away and recovers without a restart, and every
 * job ends COMPLETED exactly once, its handler run to the end once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';
import {
  finishedRuns,
  outcomes,
  sandboxIntegration,
  startOutageStack,
  unfinished,
  type OutageStack,
} from './outage-stack.ts';

let stack: OutageStack;

beforeAll(async () => {
  stack = await startOutageStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function post(body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.url}/api/sync/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.json() };
}

describe('Postgres restarted mid-run', () => {
  it('loses no completion and runs nothing twice; the API answers 503 meanwhile and recovers', async () => {
    const workers = [await stack.spawnWorker(), await stack.spawnWorker()];
    // About 2 s of work per job, with a progress write every 100 ms.
    const store = {
      products: 40,
      variantsPerProduct: 1,
      warehouses: 1,
      orders: 40,
      latencyMs: 20,
      pageSize: 5,
    };
    const integrations = await Promise.all(Array.from({ length: 4 }, () => sandboxIntegration(stack, store)));
    const ids: string[] = [];
    for (const integration_id of integrations) {
      for (const sync_type of ['products', 'orders']) {
        const created = await post({
          integration_id,
          sync_type,
          options: { full_sync: true, batch_size: 2 },
        });
        expect(created.status).toBe(201);
        ids.push(created.body.id as string);
      }
    }
    await waitFor('several jobs running with progress', async () => {
      const rows = [...(await outcomes(stack.db, ids)).values()];
      return rows.filter((o) => o.job.status === 'RUNNING' && o.job.processed_items > 0).length >= 4;
    });

    await stack.pg.stop();
    const ready = await fetch(`${stack.url}/readyz`);
    expect(ready.status).toBe(503);
    const refused = await post({ integration_id: integrations[0], sync_type: 'inventory' });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE' } } });
    const gqlRefused = await fetch(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ job(id: "${ids[0]}") { id status } }` }),
    });
    const gqlBody = (await gqlRefused.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(gqlBody.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    await stack.pg.start();

    await waitFor('readiness back', async () => (await fetch(`${stack.url}/readyz`)).status === 200, {
      timeoutMs: 15_000,
    });
    const after = await post({ integration_id: integrations[1], sync_type: 'inventory' });
    expect(after.status).toBe(201);
    ids.push(after.body.id as string);
    const read = await fetch(`${stack.url}/api/sync/jobs/${ids[0]}`);
    expect(read.status).toBe(200);

    await waitFor('every job finished', async () => (await unfinished(stack.db, ids)) === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const record = await outcomes(stack.db, ids);
    for (const [id, { job, kinds }] of record) {
      expect({ id, status: job.status }).toEqual({ id, status: 'COMPLETED' });
      expect({ id, completed: kinds.COMPLETED }).toEqual({ id, completed: 1 });
      expect({ id, started: kinds.STARTED }).toEqual({ id, started: job.attempts });
    }
    // Each handler reached its end once (the completion written after the restart was not lost and re-run).
    const runs = await waitFor('every run’s log line', async () => {
      const r = await finishedRuns(stack.db, ids);
      return r.size === ids.length ? r : undefined;
    });
    for (const [id, attempts] of runs) expect({ id, runs: attempts.length }).toEqual({ id, runs: 1 });
    for (const w of workers) expect(w.child.exitCode).toBeNull();
  }, 120_000);
});
