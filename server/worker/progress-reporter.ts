import type { ProgressUpdate } from '../handlers/handler.ts';

/**
 * Coalesces a handler's progress reports into at most one write per interval. The latest value always gets
 * written; intermediate ones are dropped. Writes never overlap.
 */
export function createProgressReporter(options: {
  intervalMs: number;
  write: (update: ProgressUpdate) => Promise<void>;
  onError: (err: unknown) => void;
}) {
  let current: ProgressUpdate = { processed: 0, total: null, failed: 0 };
  let pending = false;
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> | undefined;
  // Counting from creation: a job that ends within one interval needs no progress write at all (its final
  // transition records the counts).
  let lastWriteAt = Date.now();
  let stopped = false;

  function schedule(): void {
    if (timer || inflight || stopped || !pending) return;
    const wait = Math.max(0, lastWriteAt + options.intervalMs - Date.now());
    timer = setTimeout(flush, wait);
  }

  function flush(): void {
    timer = undefined;
    if (stopped || !pending) return;
    pending = false;
    lastWriteAt = Date.now();
    const update = current;
    inflight = options
      .write(update)
      .catch(options.onError)
      .finally(() => {
        inflight = undefined;
        schedule();
      });
  }

  return {
    report(update: ProgressUpdate): void {
      current = { ...update, message: update.message ?? current.message };
      pending = true;
      schedule();
    },
    /** The last reported counts (what the final transition records). */
    get current(): ProgressUpdate {
      return current;
    },
    /** Stops further writes and waits for one in flight. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await inflight;
    },
  };
}
