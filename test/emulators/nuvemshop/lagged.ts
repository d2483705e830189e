/**
 * Eventual consistency like the kit's lagged store, plus one thing seeding needs: a version may be written "as
 * of" an earlier instant, so seeded history is already visible to lists while live writes still lag.
 */
import type { EmulatorClock } from '../kit.ts';

export interface BackdatableStore<T> {
  /** Writes a new version, visible to lists `lagMs` after `at` (default: now). */
  put(id: string, record: T, at?: number): void;
  /** The latest version: reads by id are consistent. */
  get(id: string): T | undefined;
  /** Every latest version, visible or not. */
  all(): T[];
  /** What lists, searches and date filters see: per id, the newest version written at least `lagMs` ago. */
  listVisible(): T[];
  clear(): void;
  setLag(ms: number): void;
}

export function createBackdatableStore<T>(opts: {
  clock: EmulatorClock;
  lagMs?: number;
}): BackdatableStore<T> {
  let lag = opts.lagMs ?? 0;
  const versions = new Map<string, { at: number; record: T }[]>();
  return {
    put(id, record, at) {
      const list = versions.get(id) ?? [];
      list.push({ at: at ?? opts.clock.now(), record });
      // Keep the newest version that lists may already see, and everything after it.
      const now = opts.clock.now();
      const visible = list.findLastIndex((v) => v.at + lag <= now);
      versions.set(id, visible > 0 ? list.slice(visible) : list);
    },
    get: (id) => versions.get(id)?.at(-1)?.record,
    all: () => [...versions.values()].flatMap((l) => l.slice(-1).map((v) => v.record)),
    listVisible() {
      const now = opts.clock.now();
      const out: T[] = [];
      for (const list of versions.values()) {
        const v = list.findLast((x) => x.at + lag <= now);
        if (v) out.push(v.record);
      }
      return out;
    },
    clear: () => versions.clear(),
    setLag(ms) {
      lag = ms;
    },
  };
}
