/**
 * Redis stopped for 10 s under load (and back empty, as after a failover to a replica that had nothing): the API
 * keeps answering within a bound and never with a 500, workers reconnect by themselves, and every job the API
 * accepted — before, during and after the outage — ends COMPLETED exactly once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';
import {
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

interface Answer {
  phase: 'before' | 'during' | 'after';
  status: number;
  ms: number;
  code?: string;
  id?: string;
}

const TYPES = ['products', 'inventory', 'orders'] as const;

describe('Redis stopped for 10 s under load', () => {
  it('answers every create within a bound, workers reconnect, every accepted job completes exactly once', async () => {
    const workers = [await stack.spawnWorker(), await stack.spawnWorker()];
    const integrations = await Promise.all(
      Array.from({ length: 10 }, () =>
        sandboxIntegration(stack, {
          products: 3,
          variantsPerProduct: 1,
          warehouses: 1,
          orders: 3,
          latencyMs: 5,
        }),
      ),
    );

    let phase: Answer['phase'] = 'before';
    let creating = true;
    const answers: Answer[] = [];
    async function createLoop(lane: number): Promise<void> {
      for (let n = lane; creating; n += 2) {
        const started = Date.now();
        const res = await fetch(`${stack.url}/api/sync/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            integration_id: integrations[n % integrations.length],
            sync_type: TYPES[Math.floor(n / integrations.length) % TYPES.length],
          }),
          signal: AbortSignal.timeout(10_000),
        }).catch((err: unknown) => err as Error);
        if (res instanceof Error) {
          // No answer at all (a hang cut short, a refused connection): recorded, and the test fails on it below.
          answers.push({ phase, status: 0, ms: Date.now() - started, code: res.message });
          continue;
        }
        const body = (await res.json()) as { id?: string; error?: { code: string } };
        answers.push({
          phase,
          status: res.status,
          ms: Date.now() - started,
          ...(body.error ? { code: body.error.code } : {}),
          ...(body.id ? { id: body.id } : {}),
        });
        await delay(30);
      }
    }
    const loops = Promise.all([createLoop(0), createLoop(1)]);

    await waitFor('jobs completing before the outage', async () => {
      const ids = answers.flatMap((a) => (a.id ? [a.id] : []));
      return ids.length >= 20 && (await unfinished(stack.db, ids)) < ids.length;
    });
    await stack.redis.stop();
    phase = 'during';
    const outageStarted = Date.now();
    const readyDuring = await fetch(`${stack.url}/readyz`);
    expect(readyDuring.status).toBe(503);
    expect(((await readyDuring.json()) as { checks: Record<string, string> }).checks.postgres).toBe('ok');
    await delay(10_000 - (Date.now() - outageStarted));
    await stack.redis.start();
    phase = 'after';
    await waitFor('readiness back', async () => (await fetch(`${stack.url}/readyz`)).status === 200, {
      timeoutMs: 10_000,
    });
    await delay(2000);
    creating = false;
    await loops;

    // Every answer came within a bound and was a success or a clear, typed refusal: never a 500, never a hang.
    expect(answers.filter((a) => a.status === 0 || (a.status >= 500 && a.status !== 503))).toEqual([]);
    for (const a of answers.filter((x) => x.status === 503)) expect(a.code).toMatch(/UNAVAILABLE/);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(3000);
    const accepted = answers.filter((a) => a.status === 201 || a.status === 200);
    for (const p of ['before', 'during', 'after'] as const) {
      expect(accepted.filter((a) => a.phase === p).length, `accepted ${p}`).toBeGreaterThan(0);
    }

    const ids = [...new Set(accepted.map((a) => a.id!))];
    await waitFor('every accepted job finished', async () => (await unfinished(stack.db, ids)) === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const record = await outcomes(stack.db, ids);
    expect(record.size).toBe(ids.length);
    for (const [id, { job, kinds }] of record) {
      expect({ id, status: job.status }).toEqual({ id, status: 'COMPLETED' });
      expect({ id, completed: kinds.COMPLETED }).toEqual({ id, completed: 1 });
      expect({ id, started: kinds.STARTED }).toEqual({ id, started: job.attempts });
    }
    // The same worker processes did it all: none exited or was restarted.
    for (const w of workers) expect(w.child.exitCode).toBeNull();
    const pids = workers.map((w) => `:${w.child.pid}:`);
    const lastOnes = accepted.filter((a) => a.phase === 'after').map((a) => record.get(a.id!)!.job);
    for (const job of lastOnes) expect(pids.some((p) => job.worker_id?.includes(p))).toBe(true);
  }, 150_000);
});
