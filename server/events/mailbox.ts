/**
 * A bounded, coalescing queue between a fast producer (Redis pub/sub) and one slow consumer (a subscriber's
 * socket). Items with a coalescing key replace a pending item with the same key, so a consumer that falls
 * behind gets the latest progress instead of every step; items without a key (state transitions) are never
 * dropped or reordered.
 */
export const CLOSED = Symbol('closed');

export class Mailbox<T> {
  private items: { key: string | undefined; item: T }[] = [];
  private waiter: ((value: T | typeof CLOSED) => void) | undefined;
  private closed = false;

  constructor(private readonly keyOf: (item: T) => string | undefined = () => undefined) {}

  push(item: T): void {
    if (this.closed) return;
    if (this.waiter) {
      const wake = this.waiter;
      this.waiter = undefined;
      wake(item);
      return;
    }
    const key = this.keyOf(item);
    if (key !== undefined) {
      // Drop the older pending item and queue the newer one last, so it never overtakes what came in between.
      const pending = this.items.findIndex((i) => i.key === key);
      if (pending >= 0) this.items.splice(pending, 1);
    }
    this.items.push({ key, item });
  }

  /** Resolves with the next item, or CLOSED once closed. */
  next(): Promise<T | typeof CLOSED> {
    const first = this.items.shift();
    if (first) return Promise.resolve(first.item);
    if (this.closed) return Promise.resolve(CLOSED);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  get size(): number {
    return this.items.length;
  }

  close(): void {
    this.closed = true;
    this.items = [];
    const wake = this.waiter;
    this.waiter = undefined;
    wake?.(CLOSED);
  }
}
