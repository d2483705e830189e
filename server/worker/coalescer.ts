/**
 * Group commit: callers push one item each and get its own answer back, while the items are written in batches.
 * A batch goes as soon as nothing else of this coalescer is in flight (no timer, so a lone item waits for nobody);
 * whatever arrives while a batch is in flight waits and goes together in the next. Under load the batches grow by
 * themselves, at light load every item goes alone and at once. Batches run one after another, in push order.
 */
export interface Coalescer<I, O> {
  push(item: I): Promise<O>;
}

export function createCoalescer<I, O>(options: {
  /** Writes a batch; answers by position (`results[i]` for `items[i]`). A throw rejects every item of the batch. */
  run: (items: I[]) => Promise<O[]>;
  maxBatch: number;
  /** Items with the same key never share a batch (a later one waits for the next). */
  key?: (item: I) => string;
}): Coalescer<I, O> {
  const { run, maxBatch, key } = options;
  let queue: { item: I; resolve: (o: O) => void; reject: (err: unknown) => void }[] = [];
  let running: Promise<void> | undefined;
  let scheduled = false;

  function take(): typeof queue {
    if (!key) return queue.splice(0, maxBatch);
    const seen = new Set<string>();
    const batch: typeof queue = [];
    const rest: typeof queue = [];
    for (const entry of queue) {
      const k = key(entry.item);
      if (batch.length < maxBatch && !seen.has(k)) {
        seen.add(k);
        batch.push(entry);
      } else rest.push(entry);
    }
    queue = rest;
    return batch;
  }

  async function runBatch(batch: typeof queue): Promise<void> {
    try {
      const results = await run(batch.map((e) => e.item));
      batch.forEach((e, i) => e.resolve(results[i]!));
    } catch (err) {
      for (const e of batch) e.reject(err);
    }
  }

  function kick(): void {
    if (running || scheduled || queue.length === 0) return;
    // Items pushed in the same turn of the event loop go together.
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (running || queue.length === 0) return;
      running = runBatch(take()).finally(() => {
        running = undefined;
        kick();
      });
    });
  }

  return {
    push(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        kick();
      });
    },
  };
}
