/**
 * The benchmark harness end to end at tiny sizes (`npm run bench -- --smoke`): every scenario must produce its
 * figures and every job it created must end COMPLETED; its database and Redis keys must be gone afterwards. It checks
 * that the harness works, not how fast anything is.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/lib/report.ts';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL } from '../helpers/env.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runSmoke(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--quiet', `--out=${out}`],
      {
        cwd: ROOT,
        env: { ...process.env, BENCH_DATABASE_ADMIN_URL: TEST_PG_ADMIN_URL, BENCH_REDIS_URL: TEST_REDIS_URL },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run bench -- --smoke', () => {
  it(
    'runs every scenario, completes every job it creates and leaves nothing behind',
    { timeout: 180_000 },
    async () => {
      const out = join(dir, 'results.json');
      const started = Date.now();
      const { code, output } = await runSmoke(out);
      const seconds = (Date.now() - started) / 1000;
      expect(code, output).toBe(0);
      const r = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
      expect(r.failures, output).toEqual([]);
      expect(r.meta.smoke).toBe(true);

      expect(r.raw?.jobsPerSec).toBeGreaterThan(0);
      expect(r.raw?.saveErrors).toBe(0);

      expect(r.e2e?.jobsPerSec).toBeGreaterThan(0);
      expect(r.e2e?.ratioToRaw).toBeGreaterThan(0);
      expect(r.e2e?.completed).toBe(r.e2e?.jobs);
      expect(r.e2e?.jobs).toBe(500);
      expect(r.e2e?.events.byKind.COMPLETED).toBe(500);
      expect(r.e2e?.cpu.perUnit.worker).toBeGreaterThan(0);

      expect(r.bulk?.ms.count).toBe(r.bulk?.calls);
      expect(r.bulk?.completed).toBe(r.bulk?.created);

      expect(r.create?.requests).toBeGreaterThan(0);
      expect(r.create?.latencyMs.p99).toBeGreaterThan(0);
      expect(r.create?.errors.total).toBe(0);
      expect(r.create?.completed).toBe(r.create?.created);
      expect(r.createApiOnly?.requests).toBeGreaterThan(0);
      expect(r.createApiOnly?.completed).toBe(r.createApiOnly?.created);

      expect(r.urgent?.pickupMs.count).toBe(r.urgent?.urgentJobs);
      expect(r.urgent?.pickupMs.p99).toBeGreaterThanOrEqual(0);
      expect(r.urgent?.completed).toBe((r.urgent?.backlog ?? 0) + (r.urgent?.urgentJobs ?? 0));

      for (const run of [r.fanout?.graphql, r.fanout?.raw]) {
        expect(run?.delivered).toBeGreaterThan(0);
        expect(run?.delivered).toBe(run?.expectedDeliveries);
        expect(run?.latencyMs.p99).toBeGreaterThan(0);
      }

      expect(r.memory?.api.peakMb).toBeGreaterThan(0);
      expect(r.memory?.worker.peakMb).toBeGreaterThan(0);
      expect(r.memory?.completed).toBe(r.memory?.jobs);

      // Every job of the run (including the workers' canary jobs and the fan-out's jobs) ended COMPLETED.
      expect(r.jobs?.total).toBeGreaterThan(1500);
      expect(r.jobs?.byStatus).toEqual({ COMPLETED: r.jobs?.total });

      // Nothing left behind: the database is dropped and the Redis prefix is empty.
      expect(r.cleanup).toMatchObject({ databaseDropped: true, redisKeysLeft: 0 });
      const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await admin.connect();
      try {
        const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [
          r.meta.database,
        ]);
        expect(rowCount).toBe(0);
      } finally {
        await admin.end();
      }
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const left: string[] = [];
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${r.meta.redisPrefix}:*`, 'COUNT', 1000);
          cursor = next;
          left.push(...keys);
        } while (cursor !== '0');
        expect(left).toEqual([]);
      } finally {
        redis.disconnect();
      }
      console.log(`bench smoke run: ${seconds.toFixed(1)} s`);
    },
  );
});
