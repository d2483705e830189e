/** Pure pieces of the monitor: its configuration, Basic authentication and the duration histogram buckets. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { DURATION_BUCKETS_SECONDS, bucketIndex } from '../../server/metrics/job-metrics.ts';
import { createBasicAuth } from '../../server/monitor/basic-auth.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('monitor configuration', () => {
  it('defaults: offline after 15 s, dropped after 60 s, 30 s shutdown grace, 200 log lines per job', () => {
    const c = loadConfig({});
    expect(c.worker).toMatchObject({
      offlineAfterMs: 15_000,
      forgetAfterMs: 60_000,
      shutdownGraceMs: 30_000,
      jobLogLines: 200,
    });
    expect(c.worker.heartbeatIntervalMs).toBeLessThan(c.worker.offlineAfterMs);
  });

  it('reads its variables and refuses an offline threshold a heartbeat could not meet', () => {
    const c = loadConfig({
      WORKER_HEARTBEAT_INTERVAL_MS: '1000',
      WORKER_SHUTDOWN_GRACE_MS: '5000',
      WORKER_OFFLINE_AFTER_MS: '4000',
      WORKER_FORGET_AFTER_MS: '8000',
      JOB_LOG_LINES: '0',
    });
    expect(c.worker).toMatchObject({
      shutdownGraceMs: 5000,
      offlineAfterMs: 4000,
      forgetAfterMs: 8000,
      jobLogLines: 0,
    });
    expect(() =>
      loadConfig({ WORKER_HEARTBEAT_INTERVAL_MS: '5000', WORKER_OFFLINE_AFTER_MS: '5000' }),
    ).toThrow(ConfigError);
    expect(() => loadConfig({ WORKER_OFFLINE_AFTER_MS: '20000', WORKER_FORGET_AFTER_MS: '10000' })).toThrow(
      /WORKER_FORGET_AFTER_MS/,
    );
  });
});

describe('Basic authentication', () => {
  const auth = createBasicAuth({ user: 'admin', password: 'pa:ss' });

  it('accepts exactly the configured user and password (the password may contain colons)', () => {
    expect(auth.enabled).toBe(true);
    expect(auth.check(basic('admin:pa:ss'))).toBe(true);
    expect(auth.check(`basic   ${Buffer.from('admin:pa:ss').toString('base64')}`)).toBe(true);
    for (const wrong of ['admin:pa', 'admin:pa:ss:', 'Admin:pa:ss', ':pa:ss', 'admin', '', 'admin:']) {
      expect(auth.check(basic(wrong)), wrong).toBe(false);
    }
    expect(auth.check(undefined)).toBe(false);
    expect(auth.check('Bearer admin:pa:ss')).toBe(false);
    expect(auth.challenge).toMatch(/^Basic realm=".+", charset="UTF-8"$/);
  });

  it('without credentials configured, everything is open', () => {
    const open = createBasicAuth(null);
    expect(open.enabled).toBe(false);
    expect(open.check(undefined)).toBe(true);
  });
});

describe('duration buckets', () => {
  it('puts a duration in the first bucket whose bound holds it, and past the last in +Inf', () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(0.05)).toBe(0);
    expect(bucketIndex(0.051)).toBe(1);
    expect(bucketIndex(1)).toBe(DURATION_BUCKETS_SECONDS.indexOf(1));
    expect(bucketIndex(3600)).toBe(DURATION_BUCKETS_SECONDS.length - 1);
    expect(bucketIndex(3601)).toBe(DURATION_BUCKETS_SECONDS.length);
  });
});
