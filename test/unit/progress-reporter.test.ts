import { describe, expect, it } from 'vitest';
import type { ProgressUpdate } from '../../server/handlers/handler.ts';
import { createProgressReporter } from '../../server/worker/progress-reporter.ts';
import { waitFor } from '../helpers/wait.ts';

describe('progress reporter', () => {
  it('coalesces a burst into few writes that end with the latest value, and never overlaps writes', async () => {
    const writes: ProgressUpdate[] = [];
    let inflight = 0;
    let maxInflight = 0;
    const reporter = createProgressReporter({
      intervalMs: 40,
      onError: () => undefined,
      write: async (u) => {
        inflight++;
        maxInflight = Math.max(maxInflight, inflight);
        writes.push(u);
        await new Promise((r) => setImmediate(r));
        inflight--;
      },
    });
    for (let i = 1; i <= 200; i++) reporter.report({ processed: i, total: 200, failed: 0 });
    await waitFor('final value written', () => writes.at(-1)?.processed === 200);
    await reporter.stop();
    expect(writes.length).toBeLessThanOrEqual(3);
    expect(maxInflight).toBe(1);
    expect(reporter.current.processed).toBe(200);
  });

  it('keeps the last message when later updates carry none, and writes nothing after stop', async () => {
    const writes: ProgressUpdate[] = [];
    const reporter = createProgressReporter({
      intervalMs: 0,
      onError: () => undefined,
      write: async (u) => void writes.push(u),
    });
    reporter.report({ processed: 1, total: 2, failed: 0, message: 'reading page 1' });
    reporter.report({ processed: 2, total: 2, failed: 0 });
    expect(reporter.current.message).toBe('reading page 1');
    await reporter.stop();
    reporter.report({ processed: 3, total: 3, failed: 0 });
    await reporter.stop();
    expect(writes.every((w) => w.processed <= 2)).toBe(true);
  });
});
