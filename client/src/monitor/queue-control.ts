/** Pure rules of the queue cards: whether a queue reads as paused, and who takes jobs from it. */
import type { QueueName } from '../gql/graphql.ts';
import type { Worker } from './WorkersPanel.tsx';

/** What a pauseQueue / resumeQueue answer said, kept until a newer picture of the figures arrives. */
export interface QueueControl {
  paused: boolean;
  /** When the state changed, on the server's clock (or when the answer came, if it did not say). */
  changedAt: string;
}

/**
 * `queueStatsUpdated` does not push on pause or resume (its figures did not change), so a control answer wins
 * over figures generated before the change; figures generated after it (read again at once, then every few
 * seconds) are the truth again, whoever paused or resumed since.
 */
export function isPaused(
  figuresPaused: boolean | null | undefined,
  generatedAt: string | null | undefined,
  control: QueueControl | undefined,
): boolean {
  if (control) {
    const generated = Date.parse(generatedAt ?? '');
    if (Number.isNaN(generated) || generated < Date.parse(control.changedAt)) return control.paused;
  }
  return figuresPaused === true;
}

export interface Consumers {
  /** Online workers that take from the queue. */
  workers: number;
  /** Their concurrency on it, summed. */
  slots: number;
  /** Of those workers, how many report the queue paused. */
  paused: number;
}

export function consumersOf(name: QueueName, workers: readonly Worker[] | null): Consumers {
  const out: Consumers = { workers: 0, slots: 0, paused: 0 };
  for (const worker of workers ?? []) {
    if (!worker.online) continue;
    const queue = worker.queues?.find((q) => q.name === name);
    if (!queue || (queue.concurrency ?? 0) <= 0) continue;
    out.workers += 1;
    out.slots += queue.concurrency ?? 0;
    if (queue.paused) out.paused += 1;
  }
  return out;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Who takes from the queue, and whether the workers have caught up with a pause or resume yet. */
export function consumersText(paused: boolean, c: Consumers): { text: string; settling: boolean } {
  if (c.workers === 0) return { text: 'No online worker takes from this queue', settling: false };
  const base = `${plural(c.workers, 'worker')}, ${plural(c.slots, 'slot')}`;
  if (paused && c.paused < c.workers) {
    return {
      text: `${base}: waiting for ${plural(c.workers - c.paused, 'worker')} to stop taking`,
      settling: true,
    };
  }
  if (!paused && c.paused > 0) {
    return { text: `${base}: waiting for ${plural(c.paused, 'worker')} to resume`, settling: true };
  }
  return { text: paused ? `${base}: none taking jobs` : base, settling: false };
}
