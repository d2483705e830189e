import { describe, expect, it } from 'vitest';
import { isAbsolute, join } from 'node:path';
import { CONFIG_VARIABLES, ConfigError, DEFAULT_REDIS_URL, loadConfig } from '../../server/config.ts';

describe('loadConfig', () => {
  it('has working defaults on an empty environment (seed ports, timezone, limits)', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8000);
    expect(c.monitor).toMatchObject({ port: 5555, urlPrefix: '/flower', basicAuth: null });
    expect(c.timezone).toBe('America/Sao_Paulo');
    expect(c.worker.softTimeLimitMs).toBe(300_000);
    expect(c.worker.hardTimeLimitMs).toBe(600_000);
    expect(c.worker.concurrency).toBe(4);
    expect(c.jobs.maxAttempts).toBe(3);
    expect(c.redis.url).toBe('redis://127.0.0.1:6379/0');
    expect(Object.isFrozen(c.worker)).toBe(true);
  });

  it("accepts the seed's Celery and Flower variable names", () => {
    const c = loadConfig({
      CELERY_BROKER_URL: 'redis://cache:6380/2',
      REDIS_PASSWORD: 's3cret',
      CELERY_WORKER_CONCURRENCY: '6',
      CELERY_TASK_SOFT_TIME_LIMIT: '30',
      CELERY_TASK_TIME_LIMIT: '60',
      CELERY_RESULT_EXPIRES: '3600',
      CELERY_TIMEZONE: 'UTC',
      FLOWER_PORT: '5566',
      FLOWER_BASIC_AUTH: 'admin:pa:ss',
      FLOWER_URL_PREFIX: '/monitor',
      LOG_LEVEL: 'WARNING',
      CELERY_LOG_LEVEL: 'DEBUG',
    });
    expect(c.redis.url).toBe('redis://:s3cret@cache:6380/2');
    expect(c.worker.concurrency).toBe(6);
    expect(c.worker.queueConcurrency.sync_products).toBe(6);
    expect(c.worker.softTimeLimitMs).toBe(30_000);
    expect(c.worker.hardTimeLimitMs).toBe(60_000);
    expect(c.retention.finishedJobsMs).toBe(3_600_000);
    expect(c.timezone).toBe('UTC');
    expect(c.monitor).toEqual({
      port: 5566,
      urlPrefix: '/monitor',
      basicAuth: { user: 'admin', password: 'pa:ss' },
    });
    expect(c.log).toEqual({ level: 'warn', workerLevel: 'debug' });
  });

  it('our names win over the seed names', () => {
    const c = loadConfig({
      WORKER_CONCURRENCY: '2',
      CELERY_WORKER_CONCURRENCY: '9',
      REDIS_URL: 'redis://a:1',
      CELERY_BROKER_URL: 'redis://b:2',
    });
    expect(c.worker.concurrency).toBe(2);
    expect(c.redis.url).toBe('redis://a:1');
  });

  it('per-queue concurrency keeps capacity for urgent work and can be overridden', () => {
    const c = loadConfig({ WORKER_CONCURRENCY: '1', WORKER_QUEUE_CONCURRENCY: 'sync_bulk=5, maintenance=0' });
    expect(c.worker.queueConcurrency.urgent).toBeGreaterThanOrEqual(2);
    expect(c.worker.queueConcurrency.sync_bulk).toBe(5);
    expect(c.worker.queueConcurrency.maintenance).toBe(0);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        WORKER_QUEUE_CONCURRENCY: 'nope=1',
        FLOWER_BASIC_AUTH: 'nocolon',
        JOB_TIME_LIMIT: '1',
        JOB_SOFT_TIME_LIMIT: '5',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      // zod problems are reported first; the cross-field ones in a second pass once types are valid
      expect((err as ConfigError).problems.some((p) => p.startsWith('PORT'))).toBe(true);
    }
    try {
      loadConfig({
        WORKER_QUEUE_CONCURRENCY: 'nope=1',
        FLOWER_BASIC_AUTH: 'nocolon',
        JOB_TIME_LIMIT: '1',
        JOB_SOFT_TIME_LIMIT: '5',
      });
      expect.unreachable();
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(3);
    }
  });

  it('represents unset connection variables, so the all-in-one can run embedded services', () => {
    const c = loadConfig({});
    expect(c.database.url).toBeNull();
    expect(c.redis).toMatchObject({ url: DEFAULT_REDIS_URL, urlSet: false });
    expect(isAbsolute(c.dataDir)).toBe(true);
    expect(c.dataDir).toBe(join(process.cwd(), '.data'));
    expect(c.demo.seed).toBe(true);
    // Empty values count as unset (a copied .env.example line such as `DATABASE_URL=`).
    expect(loadConfig({ DATABASE_URL: ' ', REDIS_URL: '' })).toMatchObject({
      database: { url: null },
      redis: { urlSet: false },
    });
  });

  it('takes DATABASE_URL, REDIS_URL (or the seed name), DATA_DIR and DEMO_SEED when set', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/x',
      CELERY_BROKER_URL: 'redis://cache:6379/1',
      DATA_DIR: 'tmp/data',
      DEMO_SEED: 'false',
    });
    expect(c.database.url).toBe('postgres://u:p@db:5432/x');
    expect(c.redis).toMatchObject({ url: 'redis://cache:6379/1', urlSet: true });
    expect(c.dataDir).toBe(join(process.cwd(), 'tmp/data'));
    expect(c.demo.seed).toBe(false);
    expect(loadConfig({ DATA_DIR: '/var/lib/sync' }).dataDir).toBe('/var/lib/sync');
    expect(loadConfig({ DEMO_SEED: 'YES' }).demo.seed).toBe(true);
    expect(loadConfig({ DEMO_SEED: '0' }).demo.seed).toBe(false);
  });

  it('rejects a DATABASE_URL that is not a URL, and a DEMO_SEED that is not a boolean', () => {
    try {
      loadConfig({ DATABASE_URL: 'not a url', DEMO_SEED: 'maybe' });
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems;
      expect(problems.some((p) => p.startsWith('DATABASE_URL'))).toBe(true);
      expect(problems.some((p) => p.startsWith('DEMO_SEED'))).toBe(true);
    }
  });

  it('lists every variable it reads in CONFIG_VARIABLES', () => {
    expect(CONFIG_VARIABLES).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'REDIS_URL',
        'CELERY_BROKER_URL',
        'DATA_DIR',
        'DEMO_SEED',
        'PORT',
      ]),
    );
    expect(Object.isFrozen(CONFIG_VARIABLES)).toBe(true);
  });
});
